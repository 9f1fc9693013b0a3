namespace Mirror.Gateway.Tls;

/// <summary>What the TLS listener asks of client certificates (<c>http.tls.clientauth</c>, as distribution v3 names the modes).</summary>
internal enum ClientCertificateMode
{
    /// <summary>No client certificate is asked for.</summary>
    None,

    /// <summary><c>request-client-cert</c>: asked for, neither required nor verified.</summary>
    Request,

    /// <summary><c>require-any-client-cert</c>: required, not verified.</summary>
    RequireAny,

    /// <summary><c>verify-client-cert-if-given</c>: optional, but one that is sent must chain to <c>http.tls.clientcas</c>.</summary>
    VerifyIfGiven,

    /// <summary><c>require-and-verify-client-cert</c>: required, and must chain to <c>http.tls.clientcas</c> (the default with clientcas).</summary>
    RequireAndVerify,
}
