using System.Diagnostics;

namespace MxResolver.Tests.Infrastructure;

/// <summary>
/// A validating Unbound (<see cref="UnboundServerOptions.Dnssec"/>): <c>signed.test.</c> signed at start
/// (AD=1), <c>unsigned.test.</c> (AD=0), <c>bogus.test.</c> (broken signatures: SERVFAIL). A class
/// fixture: started only for the classes that ask for it (<c>IClassFixture&lt;DnssecUnboundFixture&gt;</c>).
/// </summary>
public sealed class DnssecUnboundFixture : IAsyncLifetime
{
    private UnboundServer? _server;

    public UnboundServer Server => _server ?? throw new InvalidOperationException("The DNSSEC Unbound fixture has not started.");

    /// <summary>How long signing the zones and starting Unbound took (reported, never asserted).</summary>
    public TimeSpan StartTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        _server = await UnboundServer.StartAsync(UnboundServerOptions.Dnssec());
        StartTime = clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
