namespace Mirror.Gateway.Status;

/// <summary>A running fill: bytes in, of how many, how fast, for how long, and how many clients wait on it.</summary>
internal sealed record FillStatus(string Repository, string Digest, long Written, long? Length, double BytesPerSecond, double Seconds, int Clients);
