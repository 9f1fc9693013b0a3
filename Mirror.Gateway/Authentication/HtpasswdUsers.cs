using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// The users of <c>auth.htpasswd.path</c>, re-read when the file's content changes (looked at, at most once
/// a second, as requests arrive; a hash of the content, so an edit that keeps the size and the time is
/// seen too). A file that stops parsing, or disappears, denies every login until it is mended: a broken
/// edit must not leave a removed user able to log in.
/// </summary>
internal sealed class HtpasswdUsers : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger<HtpasswdUsers> _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _bcrypt = new(Environment.ProcessorCount);
    private Users? _users;
    private string? _seen;
    private long _checkedAtTicks;
    private int _generation;

    public HtpasswdUsers(IOptions<AuthOptions> options, TimeProvider time, ILogger<HtpasswdUsers> logger)
    {
        _path = options.Value.HtpasswdPath!;
        _time = time;
        _logger = logger;
        Reload();
        _checkedAtTicks = time.GetUtcNow().UtcTicks;
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

    /// <summary>Whether the file has <paramref name="user"/>.</summary>
    public bool Knows(string user)
    {
        Refresh();
        return Volatile.Read(ref _users)?.File.Users.ContainsKey(user) == true;
    }

    /// <summary>
    /// Whether <paramref name="password"/> is <paramref name="user"/>'s. bcrypt is slow on purpose: at most one
    /// run per core at a time. An unknown user costs a bcrypt run of the file's highest cost, so timing does not
    /// tell who exists; with <paramref name="spare"/> (an address spraying names) it costs a pause as long as
    /// the last such run took instead, so spraying names buys no bcrypt runs.
    /// </summary>
    public async Task<bool> VerifyAsync(string user, string password, bool spare, CancellationToken cancellationToken)
    {
        Refresh();
        if (Volatile.Read(ref _users) is not { } users)
        {
            return false;
        }

        var hash = users.File.Users.GetValueOrDefault(user);
        if (hash is null && spare)
        {
            await Task.Delay(users.NoOneTakes, _time, cancellationToken);
            return false;
        }

        await _bcrypt.WaitAsync(cancellationToken);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var matches = BCrypt.Net.BCrypt.Verify(password, hash ?? users.NoOne);
            if (hash is null)
            {
                users.NoOneTakes = Stopwatch.GetElapsedTime(started);
            }

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

    public void Dispose() => _bcrypt.Dispose();

    private void Refresh()
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now - Interlocked.Read(ref _checkedAtTicks) < CheckInterval.Ticks)
        {
            return;
        }

        lock (_gate)
        {
            if (now - _checkedAtTicks >= CheckInterval.Ticks)
            {
                Interlocked.Exchange(ref _checkedAtTicks, now);
                Reload();
            }
        }
    }

    /// <summary>Reads the file; when its content differs from what was read last, takes it (or, if it does not parse, no one).</summary>
    private void Reload()
    {
        string? text;
        string? error = null;
        try
        {
            text = File.ReadAllText(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            text = null;
            error = ex.Message;
        }

        var seen = text is null ? "missing" : Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        if (seen == _seen)
        {
            return;
        }

        var first = _seen is null;
        _seen = seen;
        var file = text is null ? null : HtpasswdFile.TryParse(text, out error);
        Volatile.Write(ref _users, file is null ? null : new Users(file));
        Interlocked.Increment(ref _generation);
        if (file is null)
        {
            AuthenticationLog.HtpasswdRejected(_logger, _path, error!);
        }
        else if (!first)
        {
            AuthenticationLog.HtpasswdReloaded(_logger, _path, file.Users.Count);
        }
    }

    /// <summary>A parsed file, a hash of no one's password at the highest cost the file uses, and how long checking it takes.</summary>
    private sealed class Users
    {
        private long _noOneTakes;

        public Users(HtpasswdFile file)
        {
            File = file;
            var started = Stopwatch.GetTimestamp();
            NoOne = BCrypt.Net.BCrypt.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)), file.Users.Values.Select(CostOf).DefaultIfEmpty(10).Max());
            NoOneTakes = Stopwatch.GetElapsedTime(started);
        }

        public HtpasswdFile File { get; }

        public string NoOne { get; }

        /// <summary>How long checking a password against <see cref="NoOne"/> took last (hashing it, at first).</summary>
        public TimeSpan NoOneTakes
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref _noOneTakes));
            set => Interlocked.Exchange(ref _noOneTakes, value.Ticks);
        }

        private static int CostOf(string hash) => int.TryParse(hash.AsSpan(4, 2), out var cost) ? cost : 10;
    }
}
