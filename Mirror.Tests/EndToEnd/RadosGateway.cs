using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A real S3 endpoint: Debian's radosgw (Ceph 16) on a throwaway <see cref="CephCluster"/>, on 127.0.0.1 over
/// plain HTTP, path-style, region us-east-1, with one user whose keys are known. It takes a few seconds to
/// start, so a test class starts it once and gives each test its own bucket. radosgw alone can be stopped and
/// started again on the same port (an endpoint restarting mid-fill): the OSD keeps what was stored meanwhile.
/// </summary>
internal sealed partial class RadosGateway : IDisposable
{
    public const string AccessKey = "mirror-test-access-key";

    public const string SecretKey = "mirror-test-secret-key";

    public const string Region = "us-east-1";

    private const string Name = "client.rgw.a";

    private readonly CephCluster _cluster;
    private readonly string _log;
    private ManagedProcess? _process;

    private RadosGateway(CephCluster cluster, string directory, int port)
    {
        _cluster = cluster;
        _log = Path.Combine(directory, "log", $"{Name}.log");
        Url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The endpoint (distribution's <c>regionendpoint</c>), as <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri Url { get; }

    /// <summary>The running radosgw's PID (it changes when radosgw is started again).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("radosgw is stopped");

    /// <summary>
    /// Each request radosgw answered, as <c>METHOD /path?query STATUS</c>, in order, across restarts (from its
    /// log file: a line comes when the response has ended, so wait for it with <see cref="Eventually"/>).
    /// </summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            using var reader = new StreamReader(new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return AccessLog().Matches(reader.ReadToEnd()).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}").ToList();
        }
    }

    /// <summary>radosgw's, the monitor's and the OSD's output, for failure messages.</summary>
    public string Output => $"radosgw:\n{_process?.Output}\n{_cluster.Output}";

    /// <summary>
    /// Starts the cluster under <paramref name="directory"/>, then radosgw, and creates the user of
    /// <see cref="AccessKey"/> and <see cref="SecretKey"/>; writes the time each took to the test's progress.
    /// </summary>
    public static async Task<RadosGateway> StartAsync(string directory)
    {
        var started = Stopwatch.StartNew();
        var cluster = await CephCluster.StartAsync(directory);
        var clusterUp = started.Elapsed;
        var gateway = new RadosGateway(cluster, directory, FreePort.Next());
        try
        {
            await File.AppendAllTextAsync(cluster.ConfigPath, $"""
                [{Name}]
                # radosgw asks the monitor for "secure" mode by default, which auth none cannot give.
                ms_mon_client_mode = crc
                rgw_frontends = beast endpoint={gateway.Url.Authority}

                """);
            await gateway.StartRadosGatewayAsync();
            await cluster.RunAsync("radosgw-admin", "user", "create", "--uid=mirror", "--display-name=mirror", $"--access-key={AccessKey}", $"--secret-key={SecretKey}");
        }
        catch
        {
            gateway.Dispose();
            throw;
        }

        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"radosgw: monitor and OSD up in {clusterUp.TotalSeconds:F2} s, radosgw serving with its user {(started.Elapsed - clusterUp).TotalSeconds:F2} s later"));
        return gateway;
    }

    /// <summary>An S3 client of the user, as the mirror will be configured: path-style, us-east-1, plain HTTP.</summary>
    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Url.ToString(),
        AuthenticationRegion = Region,
        ForcePathStyle = true,
        UseHttp = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Creates <paramref name="bucket"/> (3 to 63 lowercase letters, digits, dots and hyphens).</summary>
    public async Task CreateBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken);
    }

    /// <summary>Stops radosgw alone by its PID (SIGTERM) and waits until it has exited; the cluster keeps running.</summary>
    public void StopRadosGateway()
    {
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Kills radosgw alone by its PID (SIGKILL), as a crash would.</summary>
    public void KillRadosGateway() => _process?.Kill();

    /// <summary>Starts radosgw (again) on its port and waits until it answers HTTP.</summary>
    public async Task StartRadosGatewayAsync()
    {
        StopRadosGateway();
        var process = _cluster.Start("radosgw", "-n", Name);
        _process = process;
        using var client = new HttpClient();
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var response = await client.GetAsync(Url);
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            $"radosgw answers HTTP on {Url}",
            interval: TimeSpan.FromMilliseconds(50),
            hopeless: () => process.HasExited ? $"it exited with {process.ExitCode}" : null,
            seen: () => Output);
    }

    /// <summary>Stops radosgw and starts it again on the same port; writes how long it took to the test's progress.</summary>
    public async Task RestartRadosGatewayAsync()
    {
        var restarted = Stopwatch.StartNew();
        StopRadosGateway();
        await StartRadosGatewayAsync();
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"radosgw: restarted in {restarted.Elapsed.TotalSeconds:F2} s"));
    }

    /// <summary>
    /// Stops radosgw, then the OSD, then the monitor, each by its PID: radosgw stopped with the others at once
    /// hangs for two minutes waiting on the OSD.
    /// </summary>
    public void Dispose()
    {
        StopRadosGateway();
        _cluster.Dispose();
    }

    // radosgw's access line: ... beast: 0x...: 127.0.0.1 - user [03/Dec/2026:11:21:49.190 +0000] "PUT /bucket/key HTTP/1.1" 200 ...
    [GeneratedRegex("beast: \\S+ \\S+ - \\S+ \\[[^\\]]*\\] \"([A-Z]+) (\\S+) HTTP/[0-9.]+\" ([0-9]{3}) ")]
    private static partial Regex AccessLog();
}
