namespace Mirror.Gateway.Tls;

/// <summary>The server certificate, loaded and renewed. Event ids 2014-2016.</summary>
internal static partial class TlsLog
{
    [LoggerMessage(2014, LogLevel.Information, "TLS certificate {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}")]
    public static partial void CertificateLoaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(2015, LogLevel.Information, "TLS certificate renewed: new connections get {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}")]
    public static partial void CertificateReloaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(2016, LogLevel.Warning, "The TLS certificate {Path} changed but does not load ({Reason}); the previous one is still served")]
    public static partial void CertificateNotReloaded(ILogger logger, string path, string reason);
}
