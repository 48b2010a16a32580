#!/bin/sh
# Run the Roblox SDK tests.  With PW_API_URL, PW_API_KEY, PW_CONF and
# PW_CTL set, against that server; otherwise through the integration test
# wrapper, which starts a playwaved for them.  Extra arguments: a substring
# of the test names to run (only when the server is given).
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$PW_API_URL" ]; then
	exec python3 "$here/../../../tests/integ/run.py" test_sdk
fi
exec lua5.1 "$here/test_sdk.lua" "$@"
