# The seed tutorial's TCP client (seed/upper_client.py) over TLS: the same loop, with the socket wrapped by Python's
# own TLS stack. The changes: the port and the CA file come from the command line, "import ssl", and the two lines
# marked TLS, which verify the server's certificate against the CA and its name against "localhost".
import sys
import ssl

from socket import *
ip_port = ("127.0.0.1", int(sys.argv[1]))
back_log = 5
buffer_size = 1024

context = ssl.create_default_context(cafile=sys.argv[2])  # TLS: trust our test CA, check the host name
phone = context.wrap_socket(socket(AF_INET,SOCK_STREAM), server_hostname="localhost")  # TLS
phone.connect(ip_port) #尝试链接服务端

while True:#通讯循环
    use_choose = input("请输入信息》》》:").strip()
    if not use_choose:continue
    phone.send(use_choose.encode("utf-8")) #发送消息至服务端
    print("客户端已发送消息!")
    date = phone.recv(buffer_size) #接收服务端返回的消息
    print("收到服务端发来的消息:",date.decode("utf-8"))
phone.close() #关闭客户端套接字
