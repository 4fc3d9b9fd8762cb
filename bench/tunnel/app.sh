# bench/tunnel/app.sh: sourced by run.sh and relay-bound.sh. The local app both benchmarks
# serve: nginx with a private config in DIR, `/small` (a ~100-byte `return 200`) and `/big`
# (a sparse file of SIZE_MB MiB, sendfile on).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# write_app DIR PORT SIZE_MB: the document root and DIR/nginx.conf for 127.0.0.1:PORT.
write_app() {
  local dir=$1 port=$2 size_mb=$3
  chmod 711 "$dir"   # nginx workers (user nobody) must reach $dir/www
  mkdir -p "$dir/www" "$dir/nginx-temp"
  chmod 755 "$dir/www"
  truncate -s "$(( size_mb * 1024 * 1024 ))" "$dir/www/big"
  chmod 644 "$dir/www/big"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000000;
  keepalive_timeout 600s;
  default_type application/octet-stream;
  client_body_temp_path $dir/nginx-temp/body;
  proxy_temp_path $dir/nginx-temp/proxy;
  fastcgi_temp_path $dir/nginx-temp/fastcgi;
  uwsgi_temp_path $dir/nginx-temp/uwsgi;
  scgi_temp_path $dir/nginx-temp/scgi;
  server {
    listen 127.0.0.1:$port;
    server_name _;
    root $dir/www;
    location = /small { default_type text/plain; return 200 "forge tunnel benchmark: a small response of about one hundred bytes, served by nginx/return.\n"; }
    location = /big { }
  }
}
CONF
}
