#!/bin/sh
# bench/fetch.sh BUILD - ace fetch over HTTPS (nginx on loopback, private netns) of a ~100 MB
# gzip ACI built from /usr, against the floor `curl | gzip -dc | sha512sum` on the same server:
#   floor       curl -s URL | gzip -dc | sha512sum           (download, decompress, hash)
#   unverified  ace --insecure-options=image fetch URL       (one streaming pass into the store)
#   verified    ace fetch URL                                (spool, gpg verify, import)
#   gpg         gpg --verify of the same file                 (verification alone)
# Each run uses a fresh --dir; runs alternate; medians of N (default 5) are printed.
set -eu
command -v curl >/dev/null || { echo "bench/fetch.sh needs curl for the floor"; exit 1; }
BUILD=$(cd "${1:-build}" && pwd)
N=${N:-5}
if [ "${ACE_BENCH_IN_NS:-}" != 1 ]; then
        exec env ACE_BENCH_IN_NS=1 unshare -nm sh "$0" "$BUILD"
fi
W=$(mktemp -d /tmp/ace-bench-fetch-XXXXXX)
trap 'kill $(cat $W/ngx/pid 2>/dev/null) 2>/dev/null || true; gpgconf --homedir $W/gnupg --kill all 2>/dev/null || true; rm -rf $W' EXIT
mount --make-rprivate /
ip link set lo up
echo "127.0.0.1 localhost example.test" > $W/hosts && mount --bind $W/hosts /etc/hosts
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY || true

# The image: a manifest and /usr/lib of this machine (capped), gzip.
mkdir -p $W/layout/rootfs $W/www
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.test/big","labels":[{"name":"version","value":"1"},{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}' > $W/layout/manifest
tar -C / -cf - usr/lib 2>/dev/null | head -c 300000000 | tar -C $W/layout/rootfs -xf - 2>/dev/null || true
tar -C $W/layout -czf $W/www/big.aci manifest rootfs
SIZE=$(stat -c %s $W/www/big.aci)
USIZE=$(gzip -dc $W/www/big.aci | wc -c)

export GNUPGHOME=$W/gnupg; mkdir -m 700 $GNUPGHOME
gpg -q --batch --passphrase '' --quick-gen-key 'Bench <b@example.test>' ed25519 sign 0
gpg -q --batch --armor --detach-sign -o $W/www/big.aci.asc $W/www/big.aci
gpg -q --armor --export b@example.test > $W/key.asc

cd $W
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=ca -addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout s.key -out s.csr -subj /CN=example.test >/dev/null 2>&1
printf 'subjectAltName=DNS:example.test\n' > ext.cnf
openssl x509 -req -in s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out s.pem -days 2 -extfile ext.cnf >/dev/null 2>&1
mkdir -p ngx/tmp
cat > ngx/nginx.conf <<N
daemon on; master_process off; pid $W/ngx/pid; error_log $W/ngx/error.log;
events {}
http { access_log off; client_body_temp_path $W/ngx/tmp; proxy_temp_path $W/ngx/tmp;
  fastcgi_temp_path $W/ngx/tmp; uwsgi_temp_path $W/ngx/tmp; scgi_temp_path $W/ngx/tmp;
  server { listen 127.0.0.1:443 ssl; server_name example.test; ssl_certificate $W/s.pem;
           ssl_certificate_key $W/s.key; root $W/www; } }
N
chmod -R a+rX $W
nginx -c $W/ngx/nginx.conf -p $W/ngx -e $W/ngx/error.log
mkdir -p $W/etc/http.d
echo "{\"aceKind\":\"http\",\"aceVersion\":\"v1\",\"caBundles\":[\"$W/ca.pem\"]}" > $W/etc/http.d/ca.json
$BUILD/ace --local-config=$W/etc trust --root --skip-fingerprint-review $W/key.asc >/dev/null 2>&1

URL=https://example.test/big.aci
now() { date +%s%N; }
t() { s=$(now); "$@" >/dev/null 2>&1; e=$(now); awk -v a=$s -v b=$e 'BEGIN {printf "%.3f", (b - a) / 1e9}'; }
floor() { curl -s --cacert $W/ca.pem $URL | gzip -dc | sha512sum; }
unverified() { rm -rf $W/data; $BUILD/ace --dir=$W/data --local-config=$W/etc --insecure-options=image fetch $URL; }
verified() { rm -rf $W/data; $BUILD/ace --dir=$W/data --local-config=$W/etc fetch $URL; }
gpgonly() { gpg -q --verify $W/www/big.aci.asc $W/www/big.aci; }
verified >/dev/null 2>&1 || { echo "ace fetch failed"; $BUILD/ace --dir=$W/data --local-config=$W/etc fetch $URL; exit 1; }
for i in $(seq 1 $N); do
        echo "floor $(t floor)"; echo "unverified $(t unverified)"; echo "verified $(t verified)"; echo "gpg $(t gpgonly)"
done > $W/times
echo "ACI: $((SIZE / 1000000)) MB gzip, $((USIZE / 1000000)) MB tar; medians of $N runs (s):"
for k in floor unverified verified gpg; do
        printf '  %-11s %s\n' $k "$(awk -v k=$k '$1==k {print $2}' $W/times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
done
