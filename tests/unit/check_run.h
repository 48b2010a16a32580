/*
 * The main() every Check test program shares: run the suite in forked
 * children (Check's default) and exit non-zero when any test failed.
 */
#ifndef CHECK_RUN_H
#define CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int
check_run(Suite *s)
{
	SRunner	*sr;
	int	 nfail;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

#endif /* CHECK_RUN_H */
