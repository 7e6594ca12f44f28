# The seed tutorial's TCP client (upper_client.py beside this file) over the tutorial's other socket family, AF_UNIX
# ("based on files": both processes on one machine, talking through the file system).
#
# The change from upper_client.py: the address is a socket file's path (the first command-line argument) instead of
# ("127.0.0.1", port), and the socket is created with AF_UNIX instead of AF_INET. Everything else is the tutorial's.
import sys

from socket import *
ip_port = sys.argv[1]
back_log = 5
buffer_size = 1024

phone = socket(AF_UNIX,SOCK_STREAM) #创建客户端套接字
phone.connect(ip_port) #尝试链接服务端

while True:#通讯循环
    use_choose = input("请输入信息》》》:").strip()
    if not use_choose:continue
    phone.send(use_choose.encode("utf-8")) #发送消息至服务端
    print("客户端已发送消息!")
    date = phone.recv(buffer_size) #接收服务端返回的消息
    print("收到服务端发来的消息:",date.decode("utf-8"))
phone.close() #关闭客户端套接字
