using Mirror.Cache.Concurrency;

namespace Mirror.Tests.Cache;

/// <summary>Single flight across a cluster for tag checks and manifest fetches: who does the work, and who waits for its answer.</summary>
[TestFixture]
internal sealed class ClusterFlightTests
{
    [Test]
    public async Task LeaseWon_DoesTheWorkItself()
    {
        var coordinator = new FakeCoordinator { Holder = null };
        var flight = new ClusterFlight(coordinator, TimeProvider.System);
        var worked = 0;

        var answer = await flight.RunAsync("tag/x", _ => Task.FromResult($"work {++worked}"), NoShare, (_, _) => Task.FromResult<string?>("theirs"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("work 1"));
            Assert.That(coordinator.Released, Is.True, "the lease is let go once the answer is recorded");
        });
    }

    [Test]
    public async Task LeaseWon_SharesTheAnswerBeforeTheLeaseGoes()
    {
        var coordinator = new FakeCoordinator { Holder = null };
        var flight = new ClusterFlight(coordinator, TimeProvider.System);
        var shared = new List<(string Answer, bool Released)>();

        await flight.RunAsync(
            "tag/x",
            _ => Task.FromResult("mine"),
            a =>
            {
                shared.Add((a, coordinator.Released));
                return Task.CompletedTask;
            },
            (_, _) => Task.FromResult<string?>(null),
            CancellationToken.None);

        Assert.That(shared, Is.EqualTo(new[] { ("mine", false) }), "recorded for the other nodes once, while the lease is held");
    }

    [Test]
    public async Task SoleFlight_DoesTheWorkAndSharesNothing()
    {
        var shared = 0;

        var answer = await new SoleFlight().RunAsync("tag/x", _ => Task.FromResult("mine"), _ => Task.FromResult(++shared), (_, _) => Task.FromResult<string?>("theirs"), CancellationToken.None);

        Assert.That((answer, shared), Is.EqualTo(("mine", 0)), "alone, nobody else asks");
    }

    [Test]
    public async Task LeaseHeldElsewhere_WaitsForTheAnswerAndDoesNoWork()
    {
        var coordinator = new FakeCoordinator { Holder = "node-b" };
        var flight = new ClusterFlight(coordinator, TimeProvider.System);
        var looks = 0;
        var worked = 0;

        var answer = await flight.RunAsync("tag/x", _ => Task.FromResult($"work {++worked}"), NoShare, (_, _) => Task.FromResult(++looks < 3 ? null : "node-b's"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("node-b's"));
            Assert.That(worked, Is.Zero, "one question upstream for the cluster");
        });
    }

    [Test]
    public async Task HolderGoneWithoutAnAnswer_DoesTheWorkOnce()
    {
        var coordinator = new FakeCoordinator { Holder = "node-b" };
        var flight = new ClusterFlight(coordinator, TimeProvider.System);
        var worked = 0;
        var looks = 0;

        var answer = await flight.RunAsync(
            "tag/x",
            _ => Task.FromResult($"work {++worked}"),
            NoShare,
            (_, _) =>
            {
                if (++looks == 2)
                {
                    // The node that held the lease stopped before it recorded anything.
                    coordinator.Holder = null;
                }

                return Task.FromResult<string?>(null);
            },
            CancellationToken.None);

        Assert.That(answer, Is.EqualTo("work 1"));
    }

    [Test]
    public async Task CoordinatorUnavailable_DoesTheWorkAlone()
    {
        var flight = new ClusterFlight(new FakeCoordinator { Unavailable = true }, TimeProvider.System);

        var answer = await flight.RunAsync("tag/x", _ => Task.FromResult("mine"), NoShare, (_, _) => Task.FromResult<string?>("theirs"), CancellationToken.None);

        Assert.That(answer, Is.EqualTo("mine"));
    }

    private static Task NoShare(string answer) => Task.CompletedTask;

    /// <summary>A coordinator whose one lease is free, held by <see cref="Holder"/>, or not to be asked.</summary>
    private sealed class FakeCoordinator : IClusterCoordinator
    {
        public string? Holder { get; set; }

        public bool Unavailable { get; init; }

        public bool Released { get; private set; }

        public string Node => "node-a";

            public Task<LeaseAttempt> TryAcquireAsync(string name, string value, TimeSpan ttl, CancellationToken cancellationToken) =>
            Task.FromResult(Unavailable ? LeaseAttempt.CannotAsk : Holder is { } holder ? LeaseAttempt.Lost(holder) : LeaseAttempt.Won(new Lease(this)));

        public Task<string?> ReadAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Holder);

        private sealed class Lease(FakeCoordinator owner) : IClusterLease
        {
            public CancellationToken Lost => CancellationToken.None;

            public Task SetValueAsync(string value, CancellationToken cancellationToken) => Task.CompletedTask;

            public ValueTask DisposeAsync()
            {
                owner.Released = true;
                return ValueTask.CompletedTask;
            }
        }
    }
}
