using System.Globalization;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A throwaway Ceph cluster from Debian's packages: one monitor and one OSD on memstore (objects live in the
/// OSD's memory, and as long as it does), all under one directory, on 127.0.0.1, cephx off. It is the store
/// under <see cref="RadosGateway"/>; TESTBED.md ("A real S3 endpoint") has the recipe this follows.
/// </summary>
internal sealed class CephCluster : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private ManagedProcess? _monitor;
    private ManagedProcess? _osd;

    private CephCluster(string directory)
    {
        _directory = directory;
        ConfigPath = Path.Combine(directory, "ceph.conf");
    }

    /// <summary>The cluster's <c>ceph.conf</c>: every Ceph program the test runs is given it with <c>-c</c>.</summary>
    public string ConfigPath { get; }

    /// <summary>
    /// The environment of every Ceph program (and of anything else that talks to the endpoint): without
    /// <c>AWS_CA_BUNDLE</c>, which this machine may set and distribution's S3 driver panics on over plain HTTP.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?> { ["AWS_CA_BUNDLE"] = null };

    /// <summary>The monitor's and the OSD's output, for failure messages.</summary>
    public string Output => $"ceph-mon:\n{_monitor?.Output}\nceph-osd:\n{_osd?.Output}";

    /// <summary>Makes the cluster under <paramref name="directory"/> and waits until <c>ceph osd dump</c> shows osd.0 up.</summary>
    public static async Task<CephCluster> StartAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var cluster = new CephCluster(directory);
        try
        {
            await cluster.StartMonitorAsync();
            await cluster.StartOsdAsync();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Runs a Ceph tool (<c>ceph</c>, <c>radosgw-admin</c>) against this cluster and fails the test if it fails.</summary>
    public async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var command = await Command.RunAsync(tool, ["-c", ConfigPath, .. arguments], Copy(Environment), CommandTimeout);
        Assert.That(command.Succeeded, Is.True, $"{tool} {string.Join(' ', arguments)}: {command}\n{Output}");
        return command.Output;
    }

    /// <summary>Starts a Ceph daemon of this cluster in the foreground (<c>-f</c>), so its PID is the one to stop.</summary>
    public ManagedProcess Start(string daemon, params string[] arguments) =>
        ManagedProcess.Start(daemon, ["-c", ConfigPath, .. arguments, "-f"], Copy(Environment));

    /// <summary>Stops the OSD, then the monitor, each by its PID (radosgw is stopped before: see <see cref="RadosGateway"/>).</summary>
    public void Dispose()
    {
        _osd?.Dispose();
        _monitor?.Dispose();
    }

    private async Task StartMonitorAsync()
    {
        var fsid = Guid.NewGuid().ToString();
        var monitor = $"v2:127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        await File.WriteAllTextAsync(ConfigPath, Configuration(fsid, monitor));
        foreach (var folder in new[] { "run", "log", "mon", "osd" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, folder));
        }

        var monmap = Path.Combine(_directory, "monmap");
        await RunToolAsync("monmaptool", "--create", "--fsid", fsid, "--addv", "a", $"[{monitor}]", monmap);
        await RunToolAsync("ceph-authtool", "--create-keyring", Path.Combine(_directory, "keyring"), "--gen-key", "-n", "mon.", "--cap", "mon", "allow *");
        await RunToolAsync("ceph-mon", "-c", ConfigPath, "--mkfs", "-i", "a", "--monmap", monmap);
        _monitor = Start("ceph-mon", "-i", "a");
    }

    private async Task StartOsdAsync()
    {
        // ceph waits for the monitor to form its quorum, so it is the wait for the monitor too.
        var uuid = Guid.NewGuid().ToString();
        await RunAsync("ceph", "osd", "new", uuid);
        Directory.CreateDirectory(Path.Combine(_directory, "osd", "osd.0"));
        await RunToolAsync("ceph-osd", "-c", ConfigPath, "-i", "0", "--mkfs", "--osd-uuid", uuid);
        _osd = Start("ceph-osd", "-i", "0");
        await Eventually.TrueAsync(
            async () => (await RunAsync("ceph", "osd", "dump")).Split('\n').Any(line => line.StartsWith("osd.0 up", StringComparison.Ordinal)),
            "ceph osd dump shows osd.0 up",
            interval: TimeSpan.FromMilliseconds(100),
            hopeless: () => _osd.HasExited ? $"ceph-osd exited with {_osd.ExitCode}" : _monitor!.HasExited ? $"ceph-mon exited with {_monitor.ExitCode}" : null,
            seen: () => Output);
    }

    private static async Task RunToolAsync(string tool, params string[] arguments)
    {
        var command = await Command.RunAsync(tool, arguments, Copy(Environment), CommandTimeout);
        Assert.That(command.Succeeded, Is.True, $"{tool} {string.Join(' ', arguments)}: {command}");
    }

    private string Configuration(string fsid, string monitor)
    {
        var d = _directory;
        return $"""
            [global]
            fsid = {fsid}
            mon_host = {monitor}
            public_addr = 127.0.0.1
            ms_bind_msgr1 = false
            # Ceph's own default range, below Linux's ephemeral ports (so FreePort never hands one of them out);
            # clusters of tests running side by side each take free ports in it.
            ms_bind_port_min = 6800
            ms_bind_port_max = 7300
            auth_cluster_required = none
            auth_service_required = none
            auth_client_required = none
            run_dir = {d}/run
            admin_socket = {d}/run/$name.asok
            log_file = {d}/log/$name.log
            keyring = {d}/keyring
            mon_data = {d}/mon/$name
            osd_data = {d}/osd/$name
            osd_objectstore = memstore
            memstore_device_bytes = {1L << 30}
            osd_pool_default_size = 1
            osd_pool_default_min_size = 1
            mon_allow_pool_size_one = true
            osd_crush_chooseleaf_type = 0
            osd_pool_default_pg_autoscale_mode = off
            osd_pool_default_pg_num = 8
            osd_pool_default_pgp_num = 8
            # Without these each pool radosgw creates at its first start waits about a second for its proposal.
            paxos_propose_interval = 0.01
            paxos_min_wait = 0.001

            """;
    }

    private static Dictionary<string, string?> Copy(IReadOnlyDictionary<string, string?> environment) => environment.ToDictionary();
}
