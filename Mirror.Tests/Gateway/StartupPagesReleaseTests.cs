using Mirror.Gateway.Hosting;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The native build gives back its executable's start-up pages once it listens (#22); only mappings that lose nothing
/// by it qualify: the executable's own, not writable, with no anonymous (copy-on-write) page.
/// </summary>
[TestFixture]
internal sealed class StartupPagesReleaseTests
{
    private const string Executable = "/usr/local/bin/mirror";

    private const string Smaps = """
        55bd1ee56000-55bd1f0a3000 r--p 00000000 08:01 1234                       /usr/local/bin/mirror
        Size:               2356 kB
        Rss:                2300 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw
        55bd1f0a3000-55bd1fe00000 r-xp 0024d000 08:01 1234                       /usr/local/bin/mirror
        Size:              13684 kB
        Rss:               11000 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me dw
        55bd1fe00000-55bd1fe40000 r--p 00faa000 08:01 1234                       /usr/local/bin/mirror
        Size:                256 kB
        Rss:                 256 kB
        Anonymous:           256 kB
        VmFlags: rd mr mw me dw ac
        55bd1fe40000-55bd1fe60000 rw-p 00fea000 08:01 1234                       /usr/local/bin/mirror
        Size:                128 kB
        Anonymous:             0 kB
        VmFlags: rd wr mr mw me dw ac
        7f3fa5000000-7f3fa5400000 rw-p 00000000 00:00 0 
        Size:               4096 kB
        Anonymous:          4096 kB
        VmFlags: rd wr mr mw me ac
        7f3fa6000000-7f3fa6100000 r-xp 00000000 08:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Size:               1024 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        """;

    [Test]
    public void ReleasableMappings_ExecutablesMappings_OnlyReadOnlyOnesWithoutAnonymousPages()
    {
        var releasable = StartupPagesRelease.ReleasableMappings(Smaps, Executable);

        Assert.That(releasable, Is.EqualTo(new (nint, nint)[]
        {
            (At(0x55bd1ee56000), 0x24d000),
            (At(0x55bd1f0a3000), 0xd5d000),
        }));
    }

    [Test]
    public void ReleasableMappings_AnotherExecutable_None()
    {
        Assert.That(StartupPagesRelease.ReleasableMappings(Smaps, "/usr/bin/dotnet"), Is.Empty);
    }

    private static nint At(long address) => (nint)address;
}
