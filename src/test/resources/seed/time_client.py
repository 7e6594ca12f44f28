# The seed tutorial's UDP client (socket-tutorial.txt, the time client on port 8080), reconstructed from its
# flattened listing: same statements, same order; the line breaks and indentation are restored.
#
# The one change: the port is read from the first command-line argument (default 8080, the tutorial's own port),
# so tests can point the client at a server on an ephemeral port. That needs the "import sys" line.
import sys

from socket import *
ip_port = ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
buffer_size = (1024)
user_clint = socket(AF_INET,SOCK_DGRAM)


while True:
    use_choose = input("请输入》》").strip()
    user_clint.sendto(use_choose.encode("utf-8"),ip_port)

    date,addr = user_clint.recvfrom(buffer_size)
    print(date.decode("utf-8"))
