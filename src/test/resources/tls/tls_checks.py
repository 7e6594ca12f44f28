# What Python's own TLS peer checks about our server; prints one line per check, "ok <name>" or "FAIL <name>: why".
# argv: tls-tcp port, tls-framed port, CA file.
import socket
import ssl
import struct
import sys

port, framed_port, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def connect(p, ctx, name="localhost"):
    raw = socket.create_connection(("127.0.0.1", p), timeout=20)
    # suppress_ragged_eofs=False: a TCP EOF without close_notify raises SSLEOFError instead of reading as b"".
    return ctx.wrap_socket(raw, server_hostname=name, suppress_ragged_eofs=False)


def check(name, fn):
    try:
        fn()
        print("ok " + name)
    except Exception as e:  # one line per check, whatever went wrong
        print("FAIL %s: %r" % (name, e))


def recv_exactly(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            raise EOFError("EOF after %d of %d bytes" % (len(got), n))
        got += chunk
    return got


verified = ssl.create_default_context(cafile=cafile)


def echo_then_unwrap():
    s = connect(port, verified)
    s.sendall(b"python over tls\n")
    assert recv_exactly(s, 16) == b"PYTHON OVER TLS\n"
    plain = s.unwrap()  # sends close_notify and waits for the server's: raises unless it comes
    plain.close()


def untrusted_is_refused():
    try:
        connect(port, ssl.create_default_context()).close()  # the system's CAs do not know ours
    except ssl.SSLCertVerificationError as e:
        assert "certificate verify failed" in str(e), e
        return
    raise AssertionError("an untrusted certificate was accepted")


def wrong_name_is_refused():
    try:
        connect(port, verified, name="example.org").close()
    except ssl.SSLCertVerificationError as e:
        assert "Hostname mismatch" in str(e) or "match" in str(e), e
        return
    raise AssertionError("a certificate for localhost was accepted for example.org")


def server_close_sends_close_notify():
    s = connect(framed_port, verified)
    s.sendall(struct.pack(">I", 2) + b"ok" + struct.pack(">I", 0x7F000000))  # a frame, then one over --max-frame
    assert recv_exactly(s, 6) == struct.pack(">I", 2) + b"OK"
    assert s.recv(100) == b""  # b"" only after close_notify; a bare TCP EOF would raise SSLEOFError here
    s.close()


def tls12_works():
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    s = connect(port, ctx)
    assert s.version() == "TLSv1.2", s.version()
    s.sendall(b"twelve")
    assert recv_exactly(s, 6) == b"TWELVE"
    s.unwrap().close()


check("echo-then-unwrap", echo_then_unwrap)
check("untrusted-refused", untrusted_is_refused)
check("wrong-name-refused", wrong_name_is_refused)
check("server-close-notify", server_close_sends_close_notify)
check("tls12", tls12_works)
