using Microsoft.AspNetCore.Authorization;

namespace Mirror.Gateway.Authorization;

/// <summary>Metrics on the main address go to authenticated clients only; the debug address serves them to anyone who reaches it.</summary>
internal sealed class MetricsRequirement : IAuthorizationRequirement;
