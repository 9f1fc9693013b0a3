namespace Mirror.Gateway.Authentication;

/// <summary>How clients authenticate to the mirror (distribution's <c>auth</c> section; exactly one mode).</summary>
internal enum AuthMode
{
    /// <summary>No authentication: whoever reaches the mirror may pull what its upstream credentials can (registry:2's default).</summary>
    None,

    /// <summary><c>auth.htpasswd</c>: Basic credentials checked against an Apache htpasswd file of bcrypt hashes.</summary>
    Htpasswd,

    /// <summary><c>auth.token</c>: bearer JWTs from an external token service, honoured per repository and action.</summary>
    Token,

    /// <summary><c>auth.upstream</c>: a client's own upstream credentials, checked by asking the upstream's token realm.</summary>
    Upstream,
}
