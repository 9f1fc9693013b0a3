using Microsoft.Extensions.Options;
using Mirror.Cache.Policy;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Policy;

/// <summary>
/// Reads <c>mirror.policy</c>, a list of rules: each with <c>repositories</c> (patterns) and either
/// <c>sigstore.keys</c> (PEM public keys, read now) or <c>allow</c>. What the mirror cannot honour stops the
/// start with one line naming the key: a key file it cannot read or use, a rule with neither or both, and the
/// keyless (Fulcio, Rekor) and notation verifications it does not implement (a rule naming them is refused
/// rather than ignored: ignoring it would serve what the operator meant to refuse).
/// </summary>
internal sealed class PolicyOptionsSetup(ConfigurationReader read) : IConfigureOptions<PolicyOptions>
{
    public void Configure(PolicyOptions options)
    {
        var rules = new List<PolicyRule>();
        foreach (var entry in read.Children(ConfigurationKeys.Policy).OrderBy(e => int.TryParse(e.Key, out var i) ? i : int.MaxValue))
        {
            var key = $"{ConfigurationKeys.Policy}.{entry.Key}";
            if (!int.TryParse(entry.Key, out _) || entry.Value is { Length: > 0 })
            {
                throw ConfigurationReader.Invalid<PolicyOptions>(ConfigurationKeys.Policy, "is not a list of rules, such as [{repositories: [\"library/*\"], sigstore: {keys: [/etc/mirror/cosign.pub]}}]");
            }

            rules.Add(Rule(read.Under(entry, key), key));
        }

        if (read.Value(ConfigurationKeys.Policy) is { } scalar)
        {
            throw ConfigurationReader.Invalid<PolicyOptions>(ConfigurationKeys.Policy, scalar, "is not a list of rules");
        }

        options.Rules = rules;
    }

    private static PolicyRule Rule(ConfigurationReader rule, string key)
    {
        foreach (var unsupported in ConfigurationKeys.PolicyUnsupported)
        {
            if (rule.Has(unsupported))
            {
                throw ConfigurationReader.Invalid<PolicyOptions>(rule.Name(unsupported), "keyless signatures (Fulcio certificates, Rekor) and notation are not verified by the mirror; give sigstore.keys (cosign public keys)");
            }
        }

        var repositories = rule.List("repositories");
        if (repositories.Count == 0)
        {
            throw ConfigurationReader.Invalid<PolicyOptions>(rule.Name("repositories"), "is missing: each rule names the repositories it covers (patterns such as library/* or *)");
        }

        var keyFiles = rule.List("sigstore.keys");
        var allow = rule.Bool<PolicyOptions>("allow");
        if (keyFiles.Count > 0 == allow.HasValue)
        {
            throw ConfigurationReader.Invalid<PolicyOptions>(key, allow.HasValue ? "has both sigstore.keys and allow; give one" : "has neither sigstore.keys nor allow; give one");
        }

        var keys = keyFiles.Select((file, i) => Key(rule.Name($"sigstore.keys.{i}"), file)).ToList();
        return new PolicyRule(key, [.. repositories.Select(pattern => new RepositoryPattern(pattern))], keys, allow ?? false);
    }

    /// <summary>The public key in <paramref name="file"/>; a file that is not one stops the start naming it.</summary>
    private static TrustedKey Key(string key, string file)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw ConfigurationReader.Invalid<PolicyOptions>(key, file, $"is not a file the mirror can read ({ex.Message})");
        }

        var (trusted, problem) = TrustedKey.FromPem(Path.GetFullPath(file), pem);
        return trusted ?? throw ConfigurationReader.Invalid<PolicyOptions>(key, file, problem!);
    }
}
