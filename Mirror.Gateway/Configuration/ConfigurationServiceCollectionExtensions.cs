using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Distribution's configuration as options: the <see cref="ConfigurationReader"/> each feature's options
/// setup reads its keys with (the setups live beside their options, as <c>Upstream/UpstreamsOptionsSetup</c>),
/// and every options type validated at start, so a value the mirror cannot use stops it with one line naming
/// the key.
/// </summary>
internal static class ConfigurationServiceCollectionExtensions
{
    /// <summary>The reader of <paramref name="configuration"/>, and distribution's <c>log</c> section.</summary>
    public static IServiceCollection AddDistributionOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(new ConfigurationReader(configuration));
        services.AddOptionsSetup<LogOptions, LogOptionsSetup>();
        services.AddSingleton<IValidateOptions<LogOptions>, LogOptionsSetup>();
        return services;
    }

    /// <summary><typeparamref name="TOptions"/> read by <typeparamref name="TSetup"/>, and checked when the host starts.</summary>
    /// <remarks>The annotations keep the constructors the container and the options factory call, for the trimmed native build.</remarks>
    public static IServiceCollection AddOptionsSetup<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSetup>(this IServiceCollection services)
        where TOptions : class
        where TSetup : class, IConfigureOptions<TOptions>
    {
        services.AddSingleton<IConfigureOptions<TOptions>, TSetup>();
        services.AddOptions<TOptions>().ValidateOnStart();
        return services;
    }
}
