using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirror.Cache.Storage;

/// <summary>
/// Whether new content may be stored: the store's disk has at least <c>mirror.minfreespace</c> free (read from
/// the file system every few seconds), and pinned content alone is not over <c>mirror.maxsize</c> (the pins
/// win: <see cref="IStorePins.CrowdedOut"/>).
/// </summary>
internal sealed class DiskSpace(StoreLayout layout, IStorePins pins, IOptions<EvictionOptions> options, TimeProvider time, ILogger<DiskSpace> logger)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private readonly long _minimum = options.Value.MinFreeSpace;
    private readonly Lock _gate = new();
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;
    private bool _enough = true;

    public bool Enough() => !pins.CrowdedOut && FreeEnough();

    private bool FreeEnough()
    {
        if (_minimum <= 0)
        {
            return true;
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _checkedAt >= CheckInterval)
            {
                var available = new DriveInfo(layout.Root).AvailableFreeSpace;
                var had = _enough;
                _enough = available >= _minimum;
                _checkedAt = now;
                if (had && !_enough)
                {
                    StorageLog.LowDiskSpace(logger, layout.Root, available, _minimum);
                }
                else if (!had && _enough)
                {
                    StorageLog.DiskSpaceRecovered(logger, layout.Root, available);
                }
            }

            return _enough;
        }
    }
}
