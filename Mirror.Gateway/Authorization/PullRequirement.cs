using Microsoft.AspNetCore.Authorization;

namespace Mirror.Gateway.Authorization;

/// <summary>The registry policy's one requirement: the client may pull what the request names.</summary>
internal sealed class PullRequirement : IAuthorizationRequirement;
