# The seed tutorial's TCP client (socket-tutorial.txt, the upper-echo client on port 8082), reconstructed from its
# flattened listing: same statements, same order, same comments; the line breaks and indentation are restored (the
# final close() sits after the endless loop, where it can never run, as in the original).
#
# The one change: the port is read from the first command-line argument (default 8082, the tutorial's own port),
# so tests can point the client at a server on an ephemeral port. That needs the "import sys" line.
import sys

from socket import *
ip_port = ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8082)
back_log = 5
buffer_size = 1024

phone = socket(AF_INET,SOCK_STREAM) #创建客户端套接字
phone.connect(ip_port) #尝试链接服务端

while True:#通讯循环
    use_choose = input("请输入信息》》》:").strip()
    if not use_choose:continue
    phone.send(use_choose.encode("utf-8")) #发送消息至服务端
    print("客户端已发送消息!")
    date = phone.recv(buffer_size) #接收服务端返回的消息
    print("收到服务端发来的消息:",date.decode("utf-8"))
phone.close() #关闭客户端套接字
