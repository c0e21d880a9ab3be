# A scraper on the control plane reads the kubelet's read-only port :10255 (--read-only-port=10255).
capture kubelet-readonly
serve node1 10255 $(peer http-peer.mjs) --listen 10.20.1.5:10255
run cp curl -s -o /dev/null -A 'metrics-scraper/1.0' http://10.20.1.5:10255/pods http://10.20.1.5:10255/stats/summary
finish
