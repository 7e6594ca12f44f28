# The seed tutorial's UDP time server (socket-tutorial.txt), as written; the only change is that the port comes
# from the command line, so the benchmark can run it on a free port. The print stays: it is part of the seed's loop.
import sys
from socket import *
import time
ip_port = ("127.0.0.1", int(sys.argv[1]))
buffer_size = (1024)
servier_clint = socket(AF_INET,SOCK_DGRAM)#创建服务器套接字
servier_clint.bind(ip_port) #绑定服务器套接字

while True:
    print("等待用户接入")
    date,addr=servier_clint.recvfrom(buffer_size) #接收客户端消息
    if not date:
        fmt = "%Y-%m-%d-%X"
    else:
        fmt = date.decode("utf-8")
    date = time.strftime(fmt)
    servier_clint.sendto(date.encode("utf-8"),addr)
