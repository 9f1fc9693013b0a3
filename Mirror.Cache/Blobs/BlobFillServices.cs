using Microsoft.Extensions.Logging;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Proofs;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Blobs;

/// <summary>What every fill uses, handed to each by the coordinator.</summary>
internal sealed record BlobFillServices(
    BlobStore Store,
    IRepositoryLinks Links,
    Provenance Provenance,
    FillOptions Options,
    TimeProvider Time,
    MirrorMetrics Metrics,
    ILogger Logger,
    IClusterCoordinator Cluster,
    IFillRunner Runner,
    FillPeers Peers);
