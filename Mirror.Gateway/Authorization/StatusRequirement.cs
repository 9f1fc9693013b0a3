using Microsoft.AspNetCore.Authorization;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// The status page names the repositories pulled through the mirror, so it goes only to clients who may see
/// every repository: see <see cref="StatusAuthorizationHandler"/>.
/// </summary>
internal sealed class StatusRequirement : IAuthorizationRequirement;
