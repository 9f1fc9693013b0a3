using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mirror.Tests.Support;

/// <summary>
/// A CA, a server certificate for 127.0.0.1 and localhost, and client certificates, made with openssl at
/// test start as an operator would make them, as PEM files in a directory of the test's own. A second,
/// untrusted CA signs a client certificate the mirror must refuse.
/// </summary>
internal sealed class TestCertificates
{
    private readonly string _directory;

    private TestCertificates(string directory) => _directory = directory;

    public string CaPath => Path.Combine(_directory, "ca.crt");

    public string ServerCertificatePath => Path.Combine(_directory, "server.crt");

    public string ServerKeyPath => Path.Combine(_directory, "server.key");

    public string ClientCertificatePath => Path.Combine(_directory, "client.crt");

    public string ClientKeyPath => Path.Combine(_directory, "client.key");

    public X509Certificate2 Ca => X509CertificateLoader.LoadCertificateFromFile(CaPath);

    /// <summary>A client certificate signed by the CA, for client authentication.</summary>
    public X509Certificate2 Client => X509Certificate2.CreateFromPemFile(ClientCertificatePath, ClientKeyPath);

    /// <summary>A client certificate signed by another CA.</summary>
    public X509Certificate2 Stranger => X509Certificate2.CreateFromPemFile(Path.Combine(_directory, "stranger.crt"), Path.Combine(_directory, "stranger.key"));

    public static TestCertificates Create(string directory)
    {
        Directory.CreateDirectory(directory);
        var certificates = new TestCertificates(directory);
        certificates.OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=mirror test CA");
        certificates.OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger-ca.key", "-out", "stranger-ca.crt", "-days", "2", "-subj", "/CN=stranger CA");
        certificates.Issue("server", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        certificates.Issue("client", "ca", "mirror client", "extendedKeyUsage=clientAuth\n");
        certificates.Issue("stranger", "stranger-ca", "stranger", "extendedKeyUsage=clientAuth\n");
        return certificates;
    }

    /// <summary>Issues a new server certificate over the old files, as a renewal in place does; returns its thumbprint.</summary>
    public string RenewServer()
    {
        Issue("server-renewed", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");

        // Key first, then certificate, each by rename, as ACME clients replace them.
        File.Move(Path.Combine(_directory, "server-renewed.key"), ServerKeyPath, overwrite: true);
        File.Move(Path.Combine(_directory, "server-renewed.crt"), ServerCertificatePath, overwrite: true);
        return X509CertificateLoader.LoadCertificateFromFile(ServerCertificatePath).Thumbprint;
    }

    /// <summary>
    /// An HttpClient that trusts only the test CA, presents <paramref name="clientCertificate"/> if given,
    /// speaks <paramref name="protocols"/>, and records the certificate each new connection was shown.
    /// </summary>
    public HttpClient CreateClient(X509Certificate2? clientCertificate = null, SslProtocols protocols = SslProtocols.None, List<string>? seen = null)
    {
        var ca = Ca;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    var server = (X509Certificate2)certificate!;
                    lock (seen ?? [])
                    {
                        seen?.Add(server.Thumbprint);
                    }

                    return chain.Build(server) && server.MatchesHostname("127.0.0.1");
                },
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version11 };
    }

    private void Issue(string name, string ca, string commonName, string extensions)
    {
        File.WriteAllText(Path.Combine(_directory, name + ".ext"), extensions);
        OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
        OpenSsl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private void OpenSsl(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { WorkingDirectory = _directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)}: {errors}");
        }
    }
}
