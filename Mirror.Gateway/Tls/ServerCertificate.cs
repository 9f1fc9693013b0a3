using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Tls;

/// <summary>
/// The TLS listener's certificate, with its chain, from the PEM files <c>http.tls.certificate</c> and
/// <c>http.tls.key</c>. The files are read again every <see cref="PollInterval"/>: a certificate renewed in
/// place (certbot swaps a symlink, cert-manager a mounted directory, others write over the files) is
/// served to every new connection from then on, without a restart. A pair that does not load (half
/// written, key and certificate from different renewals) is logged and the previous one stays in use.
/// </summary>
internal sealed class ServerCertificate : IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly TlsOptions _options;
    private readonly SslCertificateTrust? _clientTrust;
    private readonly ILogger<ServerCertificate> _logger;
    private readonly ITimer _poll;
    private Loaded _current;
    private string? _refused;
    private bool _unreadable;

    public ServerCertificate(IOptions<TlsOptions> options, ClientCertificatePolicy clients, TimeProvider time, ILogger<ServerCertificate> logger)
    {
        _options = options.Value;
        _logger = logger;
        _clientTrust = clients.Trust;
        _current = Load(_options.Certificate!, _options.Key!, _clientTrust);
        TlsLog.CertificateLoaded(logger, _current.Subject, _current.NotAfter, _current.Thumbprint);
        _poll = time.CreateTimer(_ => Poll(), null, PollInterval, PollInterval);
    }

    /// <summary>What new connections are handshaken with.</summary>
    public SslStreamCertificateContext Context => Volatile.Read(ref _current).Context;

    /// <summary>
    /// Loads a certificate and its key: the first certificate in the file is the server's, any after it its
    /// chain (sent to clients in the handshake). Throws what the files' problem is.
    /// </summary>
    public static Loaded Load(string certificatePath, string keyPath, SslCertificateTrust? clientTrust = null)
    {
        var certificateBytes = File.ReadAllBytes(certificatePath);
        var keyBytes = File.ReadAllBytes(keyPath);
        var certificatePem = System.Text.Encoding.ASCII.GetString(certificateBytes);
        var leaf = X509Certificate2.CreateFromPem(certificatePem, System.Text.Encoding.ASCII.GetString(keyBytes));
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(certificatePem);
        chain.RemoveAt(0);
        var context = SslStreamCertificateContext.Create(leaf, chain, offline: true, clientTrust);
        return new Loaded(context, Fingerprint(certificateBytes, keyBytes), leaf.Subject, leaf.NotAfter.ToUniversalTime(), leaf.Thumbprint);
    }

    public void Dispose() => _poll.Dispose();

    private static string Fingerprint(byte[] certificate, byte[] key) => Convert.ToHexString(SHA256.HashData([.. certificate, .. key]));

    private void Poll()
    {
        try
        {
            var fingerprint = Fingerprint(File.ReadAllBytes(_options.Certificate!), File.ReadAllBytes(_options.Key!));
            _unreadable = false;
            if (fingerprint == _current.Fingerprint || fingerprint == _refused)
            {
                return;
            }

            try
            {
                var loaded = Load(_options.Certificate!, _options.Key!, _clientTrust);
                Volatile.Write(ref _current, loaded);
                TlsLog.CertificateReloaded(_logger, loaded.Subject, loaded.NotAfter, loaded.Thumbprint);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                // Logged once per content of the files, not at every poll.
                _refused = fingerprint;
                TlsLog.CertificateNotReloaded(_logger, _options.Certificate!, ex.Message);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file missing for a moment while it is replaced: the next poll reads it again.
            if (!_unreadable)
            {
                _unreadable = true;
                TlsLog.CertificateNotReloaded(_logger, _options.Certificate!, ex.Message);
            }
        }
    }

    /// <summary>A loaded certificate, and the fingerprint of the files it came from.</summary>
    public sealed record Loaded(SslStreamCertificateContext Context, string Fingerprint, string Subject, DateTime NotAfter, string Thumbprint);
}
