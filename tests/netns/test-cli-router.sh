#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The weave CLI's router commands without weaver: argument errors and exit codes of launch,
# stop, reset, status, report, connect, forget, attach, detach and ps when nothing runs; the
# HTTP side against a stand-in server (status framing, 404s, forms, templates); and attach/
# detach/ps/reset against a bridge `weave` this test makes itself in a "host" namespace.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

host=wch-$$
ctrs=(wcc1-$$ wcc2-$$ wcc3-$$ wcc4-$$)
tmp=$(mktemp -d /tmp/weave-cli-router.XXXXXX)
export WEAVE_STATE_DIR=$tmp/state WEAVE_RUN_DIR=$tmp/run
server_pid=
sleeper_pid=

cleanup() {
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
	[[ -n $sleeper_pid ]] && kill "$sleeper_pid" 2>/dev/null
	for ns in "$host" "${ctrs[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$host"
for c in "${ctrs[@]}"; do ip netns add "$c"; done
ip -n "$host" link set lo up

# h args...: weave on the host.
h() { ip netns exec "$host" weave "$@"; }

# expect "what" rc "text" args...: `weave args...` on the host exits rc, its output holds text.
expect() {
	local what=$1 want_rc=$2 want=$3 out rc
	shift 3
	out=$(h "$@" 2>&1)
	rc=$?
	if ((rc == want_rc)) && grep -qF -- "$want" <<<"$out"; then
		pass "$what"
	else
		fail "$what: weave $* exited $rc with '$out', want $want_rc and '$want'"
	fi
}

# --- nothing running ---------------------------------------------------------------------
notrun="weave is not running"
expect "status without weaver exits 1" 1 "$notrun" status
expect "status connections without weaver exits 1" 1 "$notrun" status connections
expect "an unknown status sub-command is named" 1 "Invalid 'weave status' sub-command: bogus" status bogus
expect "status takes one sub-command" 1 "Usage: weave status" status peers extra
expect "report without weaver exits 1" 1 "$notrun" report
expect "report -f without weaver exits 1" 1 "$notrun" report -f '{{.Version}}'
expect "report -f needs a template" 1 "Usage: weave report" report -f
expect "report rejects other flags" 1 "Usage: weave report" report --bogus
expect "connect needs a peer" 1 "Usage: weave connect" connect
expect "connect without weaver exits 1" 1 "$notrun" connect 192.168.51.11
expect "connect quotes a bad peer" 1 "invalid peer \`-x'" connect -x
expect "forget needs a peer" 1 "Usage: weave forget" forget
expect "forget without weaver exits 1" 1 "$notrun" forget 192.168.51.11
expect "stop without weaver says so and exits 0" 0 "Weave is not running." stop
expect "stop takes no arguments" 1 "Usage: weave stop" stop now
expect "reset takes only --force" 1 "Usage: weave reset" reset --bogus
check "reset without weaver exits 0" h reset
check "reset --force again exits 0 (idempotent)" h reset --force
check_eq "version without weaver is the script line only" "$(h version)" \
	"weave script $(cat "$WEAVE_TOP/VERSION")"
check "help lists launch-router (not Weave 2.0's removed command)" bash -c "weave help | grep -q 'weave launch-router'"

# --- a stand-in for weaver's API -----------------------------------------------------------
if command -v python3 >/dev/null; then
	cat >"$tmp/server.py" <<'EOF'
import http.server, sys, urllib.parse
log = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body):
        b = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        log.write("GET %s %s\n" % (self.path, self.headers.get("Accept")))
        if u.path == "/status":
            self.reply(200, "        Version: 9.9.9\n\n        Service: router\n")
        elif u.path == "/status/targets":
            self.reply(200, "192.168.51.11\n")
        elif u.path == "/report" and u.query:
            f = urllib.parse.parse_qs(u.query)["format"][0]
            self.reply(200, "9.9.9" if f == "{{.Version}}" else f)
        elif u.path == "/report":
            self.reply(200, '{\n    "Version": "9.9.9"\n}\n')
        else:
            self.reply(404, "404 page not found\n")
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n).decode()
        log.write("POST %s %s %s\n" % (self.path, self.headers.get("Content-Type"), body))
        if body == "peer=bad":
            self.reply(400, "invalid peer bad\n")
        else:
            self.reply(200, "")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
	ip netns exec "$host" python3 "$tmp/server.py" 6784 "$tmp/requests" &
	server_pid=$!
	if wait_for 10 bash -c "ip netns exec $host bash -c 'echo >/dev/tcp/127.0.0.1/6784' 2>/dev/null"; then
		check_eq "status is set off by one empty line before and after" "$(h status; echo x)" \
			"$(printf '\n        Version: 9.9.9\n\n        Service: router\n\nx')"
		check_eq "status targets is printed as it comes" "$(h status targets)" "192.168.51.11"
		expect "a sub-command weaver doesn't serve (404) is invalid" 1 \
			"Invalid 'weave status' sub-command: dns" status dns
		check_eq "version adds the router's" "$(h version | tail -n 1)" "weave 9.9.9"
		check_eq "report -f sends the template" "$(h report -f 'x {{.Router.Name}}&y')" \
			"x {{.Router.Name}}&y"
		check "report asks for JSON" bash -c "ip netns exec $host weave report >/dev/null &&
			grep -q '^GET /report application/json' $tmp/requests"
		check "connect --replace posts a form" bash -c "ip netns exec $host weave connect --replace a b:6783 &&
			grep -q '^POST /connect application/x-www-form-urlencoded peer=a&peer=b%3A6783&replace=true$' $tmp/requests"
		expect "a 400 answer goes to stderr and exits 1" 1 "invalid peer bad" connect bad
		check "forget posts a form" bash -c "ip netns exec $host weave forget a &&
			grep -q '^POST /forget .* peer=a$' $tmp/requests"
		expect "launch refuses when weave answers" 1 "Weave Net is already running" launch
		expect "launch-router refuses when weave answers" 1 "Weave Net is already running" launch-router 192.168.51.11
	else
		fail "the stand-in HTTP server did not start"
	fi
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null
	server_pid=
else
	skip "python3 is missing: no stand-in HTTP server for the API checks"
fi

# --- attach, detach, ps against our own bridge ---------------------------------------------
c1=${ctrs[0]} c2=${ctrs[1]} c3=${ctrs[2]} c4=${ctrs[3]}
expect "attach needs a container" 1 "Usage: weave attach" attach
expect "attach of an address alone needs a container" 1 "Usage: weave attach" attach 10.32.0.1/12
expect "attach without addresses says IPAM is not there yet" 1 "IPAM is not available yet" attach "$c1"
expect "attach net:default says IPAM is not there yet" 1 "IPAM is not available yet" attach net:default "$c1"
expect "attach quotes a bad CIDR" 1 "invalid CIDR \`10.32.0.1'" attach 10.32.0.1 "$c1"
expect "attach quotes a bad prefix" 1 "invalid CIDR \`10.32.0.1/33'" attach 10.32.0.1/33 "$c1"
expect "attach quotes an unknown flag" 1 "unknown flag \`--bogus'" attach --bogus 10.32.0.1/12 "$c1"
expect "attach quotes a missing container" 1 "no such container \`nosuch-$$'" attach 10.32.0.1/12 "nosuch-$$"
expect "attach refuses the host's own namespace" 1 "uses the host's network namespace" attach 10.32.0.1/12 /proc/self/ns/net
expect "attach without the bridge asks for launch" 1 \
	"weave bridge is not present. Have you launched weave?" attach 10.32.0.1/12 "$c1"
expect "detach needs a container" 1 "Usage: weave detach" detach
expect "detach of a container never attached exits 1" 1 "is not attached to weave" detach "$c1"

ip -n "$host" link add weave type bridge
ip -n "$host" link set weave up

check_eq "attach prints the address" "$(h attach 10.32.0.1/12 "$c1")" "10.32.0.1"
check "ethwe is in the container, up" bash -c "ip -n $c1 link show ethwe | grep -q 'state UP'"
check "it has the address" bash -c "ip -n $c1 -4 addr show ethwe | grep -q 'inet 10.32.0.1/12 '"
check "its MTU is 1376 by default" bash -c "ip -n $c1 link show ethwe | grep -q 'mtu 1376 '"
check "it has the multicast route" bash -c "ip -n $c1 route show 224.0.0.0/4 | grep -q 'dev ethwe scope link'"
veth=$(ip -n "$host" -o link show master weave | awk -F': ' '{print $2}' | cut -d@ -f1)
check "the host end is a vethwepl on bridge weave, up" bash -c "[[ '$veth' == vethwepl* ]] &&
	ip -n $host link show $veth | grep -q 'state UP'"
check "the host end has the same MTU" bash -c "ip -n $host link show $veth | grep -q 'mtu 1376 '"

check_eq "a second attach adds addresses" "$(h attach ip:10.32.0.11/12 10.40.0.1/24 "$c1")" "10.32.0.11 10.40.0.1"
check_eq "the container keeps one veth" "$(ip -n "$host" -o link show master weave | wc -l)" 1

out=$(ip netns exec "$host" env WEAVE_MTU=1400 weave attach --no-multicast-route 10.32.0.2/12 "$c2")
check_eq "attach with WEAVE_MTU" "$out" "10.32.0.2"
check "WEAVE_MTU sets the MTU" bash -c "ip -n $c2 link show ethwe | grep -q 'mtu 1400 '"
check "--no-multicast-route leaves the route out" bash -c "[[ -z \$(ip -n $c2 route show 224.0.0.0/4) ]]"
out=$(ip netns exec "$host" env WEAVE_MTU=big weave attach 10.32.0.3/12 "$c3" 2>&1)
check "a bad WEAVE_MTU is quoted" grep -qF "invalid WEAVE_MTU \`big'" <<<"$out"

check "containers on the bridge ping each other" \
	bash -c "ip netns exec $c1 ping -c 1 -W 2 10.32.0.2 >/dev/null"

# A container named by PID: a process in its own namespace.
ip netns exec "$c4" sleep 300 &
sleeper_pid=$!
in_c4() { [[ $(ip netns identify "$sleeper_pid" 2>/dev/null) == "$c4" ]]; }
wait_for 5 in_c4
check_eq "attach by PID" "$(h attach 10.32.0.4/12 "$sleeper_pid")" "10.32.0.4"
check "ethwe is in that process's namespace" bash -c "ip -n $c4 -4 addr show ethwe | grep -q 10.32.0.4/12"
check_eq "attach by netns path" "$(h attach 10.32.0.12/12 "/run/netns/$c2")" "10.32.0.12"

# ps_line container [id]: what ps should print for it, addresses in the kernel's order.
ps_line() {
	local mac cidrs
	mac=$(ip -n "$1" link show ethwe | awk '/link\/ether/ {print $2}')
	cidrs=$(ip -n "$1" -4 -o addr show ethwe | awk '{print $4}' | paste -sd ' ')
	echo "${2:-$1} $mac $cidrs"
}
check_eq "ps with a container" "$(h ps "$c1")" "$(ps_line "$c1")"
check_eq "its addresses are the three given" \
	"$(ip -n "$c1" -4 -o addr show ethwe | awk '{print $4}' | sort | paste -sd ' ')" \
	"10.32.0.1/12 10.32.0.11/12 10.40.0.1/24"
ps_all=$(h ps)
check_eq "ps lists every attached container" "$(sort <<<"$ps_all")" \
	"$(printf '%s\n' "$(ps_line "$c1")" "$(ps_line "$c2")" "$(ps_line "$c4" "$sleeper_pid")" | sort)"
expect "ps quotes a missing container" 1 "no such container \`nosuch-$$'" ps "nosuch-$$"

check_eq "detach of one address prints it" "$(h detach 10.32.0.1/12 "$c1")" "10.32.0.1"
check_eq "the other addresses stay" "$(h ps "$c1" | cut -d' ' -f3- | tr ' ' '\n' | sort | paste -sd ' ')" \
	"10.32.0.11/12 10.40.0.1/24"
expect "detach quotes a bad CIDR" 1 "invalid CIDR \`x/1'" detach x/1 "$c1"
check_eq "detach of the rest" "$(h detach "$c1" | tr ' ' '\n' | sort | paste -sd ' ')" "10.32.0.11 10.40.0.1"
check "the veth is gone" bash -c "! ip -n $c1 link show ethwe 2>/dev/null && ! ip -n $host link show $veth 2>/dev/null"
check "ps no longer lists it" bash -c "! ip netns exec $host weave ps | grep -q '^$c1 '"
check_eq "detach of the last listed address removes the veth" \
	"$(h detach 10.32.0.2/12 10.32.0.12/12 "$c2")" "10.32.0.2 10.32.0.12"
check "so ethwe is gone" bash -c "! ip -n $c2 link show ethwe 2>/dev/null"

check "reset exits 0" h reset
check "reset removed the bridge and the veths" bash -c "! ip -n $host link show weave 2>/dev/null &&
	! ip -n $host -o link | grep -q vethwe"
check "reset removed the registry" test ! -e "$WEAVE_RUN_DIR/attached"
check_eq "ps after reset is empty" "$(h ps)" ""
test_exit
