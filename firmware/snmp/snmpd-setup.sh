#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# snmpd-setup.sh: make the appliance's snmpd configuration from snmpd.conf.
#
#   snmpd-setup.sh --out DIR --listen ADDR:PORT --agentx SOCKET
#                  --user NAME --auth-pass P --priv-pass P [--auth SHA-512]
#                  [--engine-id 0x...] [--trap ADDR:PORT --trap-user NAME
#                   --trap-auth-pass P --trap-priv-pass P]
#
# Writes DIR/snmpd.conf and DIR/persist/snmpd.conf (the user's createUser
# line: snmpd turns it into localized keys and forgets the pass phrases on
# its first save). Run snmpd with SNMP_PERSISTENT_DIR=DIR/persist.
# Pass phrases must be at least 8 characters (RFC 3414).
set -eu
here=$(dirname "$0")
out= listen= agentx= user= apass= ppass= auth=SHA-512 engine=0x80001f8880736567770001
trap= tuser= tapass= tppass=
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2 ;;
	--listen) listen=$2 ;;
	--agentx) agentx=$2 ;;
	--user) user=$2 ;;
	--auth-pass) apass=$2 ;;
	--priv-pass) ppass=$2 ;;
	--auth) auth=$2 ;;
	--engine-id) engine=$2 ;;
	--trap) trap=$2 ;;
	--trap-user) tuser=$2 ;;
	--trap-auth-pass) tapass=$2 ;;
	--trap-priv-pass) tppass=$2 ;;
	*) echo "snmpd-setup.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
for v in out listen agentx user apass ppass; do
	eval "[ -n \"\${$v}\" ]" || { echo "snmpd-setup.sh: --$v missing" >&2; exit 2; }
done
case "$auth" in SHA-256|SHA-384|SHA-512) ;; *) echo "snmpd-setup.sh: --auth: SHA-256, SHA-384 or SHA-512" >&2; exit 2 ;; esac
for p in "$apass" "$ppass"; do
	[ ${#p} -ge 8 ] || { echo "snmpd-setup.sh: pass phrases need 8 characters or more" >&2; exit 2; }
done
case "$listen" in 0.0.0.0*|::*|\[::\]*) echo "snmpd-setup.sh: listen on the mgmt address, not on all" >&2; exit 2 ;; esac
mkdir -p "$out/persist"
chmod 700 "$out/persist"
trapsess="# no trap receiver configured"
if [ -n "$trap" ]; then
	trapsess="trapsess -v3 -u $tuser -l authPriv -a $auth -A $tapass -x AES -X $tppass udp:$trap"
fi
sed -e "s|@LISTEN@|$listen|" -e "s|@AGENTX@|$agentx|" -e "s|@USER@|$user|" \
    -e "s|@ENGINEID@|$engine|" -e "s|@TRAPSESS@|$trapsess|" "$here/snmpd.conf" >"$out/snmpd.conf"
chmod 600 "$out/snmpd.conf"
umask 077
printf 'createUser %s %s "%s" AES "%s"\n' "$user" "$auth" "$apass" "$ppass" >"$out/persist/snmpd.conf"
if [ -n "$trap" ]; then
	# v3 traps are sent as this user: snmpd needs it in its own USM too (it
	# gets no access: no rouser line names it)
	printf 'createUser %s %s "%s" AES "%s"\n' "$tuser" "$auth" "$tapass" "$tppass" \
		>>"$out/persist/snmpd.conf"
fi
