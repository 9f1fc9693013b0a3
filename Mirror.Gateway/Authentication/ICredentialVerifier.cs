namespace Mirror.Gateway.Authentication;

/// <summary>Checks a user and password presented with Basic authentication.</summary>
internal interface ICredentialVerifier
{
    /// <summary>Changes when what decides changes (an htpasswd file re-read), so older verdicts are not reused.</summary>
    int Generation { get; }

    /// <summary>How long a verdict is remembered.</summary>
    TimeSpan VerdictTtl { get; }

    Task<bool> VerifyAsync(BasicCredentials credentials, CancellationToken cancellationToken);
}
