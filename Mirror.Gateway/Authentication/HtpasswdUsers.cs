using Microsoft.Extensions.Options;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// The users of <c>auth.htpasswd.path</c>, re-read when the file changes (its modification time and size
/// are looked at, at most once a second, as requests arrive). A file that stops parsing denies every login
/// until it is mended: a broken edit must not leave a removed user able to log in.
/// </summary>
internal sealed class HtpasswdUsers : IDisposable
{
    /// <summary>A valid bcrypt hash of no one's password: unknown users cost a bcrypt run too, so timing tells nothing.</summary>
    private const string NoOne = "$2y$10$6iMmCevnyiSwScCt.xAfIuEYdaUmT2.BvrSh0ne38jgwq69RPp7FO";

    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger<HtpasswdUsers> _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _bcrypt = new(Environment.ProcessorCount);
    private HtpasswdFile? _file;
    private (DateTime Modified, long Length) _seen;
    private DateTimeOffset _checkedAt;
    private int _generation;

    public HtpasswdUsers(IOptions<AuthOptions> options, TimeProvider time, ILogger<HtpasswdUsers> logger)
    {
        _path = options.Value.HtpasswdPath!;
        _time = time;
        _logger = logger;
        // The file parsed at start (AuthOptionsValidator); if it broke since, every login is refused until it is mended.
        _file = Read(out var error);
        if (_file is null)
        {
            GatewayLog.HtpasswdRejected(logger, _path, error!);
        }

        _checkedAt = time.GetUtcNow();
    }

    /// <summary>Changes whenever the file is re-read, so credentials remembered from an older file are not trusted.</summary>
    public int Generation
    {
        get
        {
            Refresh();
            return Volatile.Read(ref _generation);
        }
    }

    /// <summary>Whether <paramref name="password"/> is <paramref name="user"/>'s. bcrypt is slow on purpose: at most one run per core at a time.</summary>
    public async Task<bool> VerifyAsync(string user, string password, CancellationToken cancellationToken)
    {
        Refresh();
        var file = Volatile.Read(ref _file);
        var hash = file?.Users.GetValueOrDefault(user);
        await _bcrypt.WaitAsync(cancellationToken);
        try
        {
            var matches = BCrypt.Net.BCrypt.Verify(password, hash ?? NoOne);
            return matches && hash is not null;
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
        finally
        {
            _bcrypt.Release();
        }
    }

    private void Refresh()
    {
        var now = _time.GetUtcNow();
        if (now - _checkedAt < CheckInterval)
        {
            return;
        }

        lock (_gate)
        {
            if (now - _checkedAt < CheckInterval)
            {
                return;
            }

            _checkedAt = now;
            var info = new FileInfo(_path);
            var seen = info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
            if (seen == _seen)
            {
                return;
            }

            var file = Read(out var error);
            Volatile.Write(ref _file, file);
            Interlocked.Increment(ref _generation);
            if (file is null)
            {
                GatewayLog.HtpasswdRejected(_logger, _path, error!);
            }
            else
            {
                GatewayLog.HtpasswdReloaded(_logger, _path, file.Users.Count);
            }
        }
    }

    public void Dispose() => _bcrypt.Dispose();

    private HtpasswdFile? Read(out string? error)
    {
        var info = new FileInfo(_path);
        try
        {
            _seen = (info.LastWriteTimeUtc, info.Length);
            return HtpasswdFile.TryParse(File.ReadAllText(_path), out error);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return null;
        }
    }
}
