namespace Mirror.Cache.Concurrency;

/// <summary>The cluster's coordinator could not be asked; the node goes on alone until it can.</summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
