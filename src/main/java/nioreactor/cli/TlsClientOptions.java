package nioreactor.cli;

import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import nioreactor.client.ClientTls;
import nioreactor.tls.TlsFileException;
import nioreactor.tls.TlsFiles;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code client}'s TLS options, a picocli mixin, and the one-line explanation of a failed handshake. */
final class TlsClientOptions {

    @Option(names = "--tls", description = "Talk TLS, to serve's --tls-tcp port (or --tls-framed with --framed).")
    boolean tls;

    @Option(names = "--cafile", paramLabel = "FILE",
            description = "With --tls: trust the certificates in this PEM file (e.g. a self-signed server's) instead of the JDK's trust store.")
    Path caFile;

    @Option(names = "--insecure", description = "With --tls: check nothing about the server's certificate (testing only).")
    boolean insecure;

    /** The TLS settings for a connection to {@code host}, or null without --tls. */
    ClientTls settings(CommandLine cli, String host) throws TlsFileException {
        if (!tls) {
            if (caFile != null || insecure) {
                throw new ParameterException(cli, (insecure ? "--insecure" : "--cafile") + " needs --tls");
            }
            return null;
        }
        if (caFile != null && insecure) {
            throw new ParameterException(cli, "--cafile and --insecure cannot be combined");
        }
        return new ClientTls(TlsFiles.client(caFile, insecure, null, null), host, !insecure);
    }

    /** What went wrong in a handshake, in one line that says what to do when it is the certificate. */
    String explain(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException || String.valueOf(t.getMessage()).contains("PKIX path")) {
                return "the server's certificate is not trusted (" + (caFile == null
                        ? "not signed by a CA in the JDK's trust store; a self-signed certificate never is"
                        : "not signed by a certificate in " + caFile)
                        + "): pass --cafile FILE with the server's certificate or its CA, or --insecure to skip the check";
            }
            if (t instanceof CertificateException && String.valueOf(t.getMessage()).contains("No subject alternative")) {
                return "the server's certificate is not for this host name (" + t.getMessage()
                        + "): connect with --host set to a name the certificate holds, or --insecure to skip the check";
            }
        }
        return "TLS handshake failed: " + e.getMessage() + " (is this a TLS port? serve's are --tls-tcp and --tls-framed)";
    }
}
