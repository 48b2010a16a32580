"""make deps (tools/deps.sh) against fake systemctl, service, update-rc.d,
apt-get and dpkg-query on PATH that record every call: it never stops or
disables a service that was there before, and a service package it
installs is kept from starting by policy-rc.d during the install."""

import os
import stat
import subprocess
import tempfile

import pwtest
from pwtest import check, eq

DEPS = os.path.join(pwtest.ROOT, "tools", "deps.sh")

# Each fake appends "name args..." to $CALLS; apt-get also notes whether
# policy-rc.d was in place (and refusing) while it "installed".
FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >>"$CALLS"
case "$(basename "$0")" in
dpkg-query)
	pkg=$(echo "$*" | awk '{print $NF}')
	for m in $MISSING; do
		[ "$m" = "$pkg" ] && exit 1
	done
	printf 'install ok installed'
	;;
apt-get)
	if [ "$1" = install ]; then
		if [ -x "$PW_POLICY_RC_D" ]; then
			"$PW_POLICY_RC_D" nginx start
			echo "policy-rc.d exit $?" >>"$CALLS"
		else
			echo "policy-rc.d absent" >>"$CALLS"
		fi
	fi
	;;
clang)
	echo 14.0.6
	;;
esac
exit 0
"""
TOOLS = ("systemctl", "service", "update-rc.d", "apt-get", "dpkg-query",
         "sudo", "clang", "invoke-rc.d")


def run_deps(missing):
    tmp = tempfile.mkdtemp(prefix="deps.")
    bin_ = os.path.join(tmp, "bin")
    os.mkdir(bin_)
    for t in TOOLS:
        p = os.path.join(bin_, t)
        with open(p, "w") as f:
            f.write(FAKE)
        os.chmod(p, stat.S_IRWXU)
    calls = os.path.join(tmp, "calls")
    open(calls, "w").close()
    policy = os.path.join(tmp, "policy-rc.d")
    env = dict(os.environ, PATH=bin_ + ":/usr/bin:/bin", CALLS=calls,
               MISSING=" ".join(missing), PW_POLICY_RC_D=policy)
    p = subprocess.run(["sh", DEPS], env=env, capture_output=True, text=True,
                       timeout=60)
    eq(p.returncode, 0, p.stdout + p.stderr)
    with open(calls) as f:
        lines = f.read().splitlines()
    check(not os.path.exists(policy), "policy-rc.d left behind")
    return lines, p.stdout


def service_calls(lines):
    return [ln for ln in lines
            if ln.split()[0] in ("systemctl", "service", "update-rc.d",
                                 "invoke-rc.d")]


def test_nothing_missing_touches_no_service():
    lines, out = run_deps([])
    eq(service_calls(lines), [], "with nothing to install")
    eq([ln for ln in lines if ln.startswith("apt-get")], [])
    check("deps: all present" in out, out)


def test_fresh_service_kept_from_starting_others_untouched():
    lines, out = run_deps(["haproxy", "faketime"])
    inst = [ln for ln in lines if ln.startswith("apt-get install")]
    eq(len(inst), 1, lines)
    check(" haproxy" in inst[0] and " faketime" in inst[0], inst)
    # During the install invoke-rc.d would have been told "not now".
    check("policy-rc.d exit 101" in lines, lines)
    # Only the service it just installed is disabled, and nothing stopped.
    eq(service_calls(lines), ["systemctl disable --quiet haproxy"], lines)


def test_debian_list_has_faketime_and_promtool():
    with open(DEPS) as f:
        text = f.read()
    check(" faketime" in text and " prometheus" in text,
          "faketime and prometheus (promtool) in the Debian list")
