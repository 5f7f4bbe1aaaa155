using System.Net;

[assembly: AssemblyFixture(typeof(MxResolver.Tests.Infrastructure.UnboundFixture))]

namespace MxResolver.Tests.Infrastructure;

/// <summary>
/// One Unbound for the whole test assembly, serving the shared zone <c>mx.test.</c>
/// (Infrastructure/Zones/mx.test.zone) with <c>broken.mx.test.</c> delegated to a dead port (SERVFAIL).
/// </summary>
/// <remarks>
/// Registered as an xunit.v3 assembly fixture (<c>[assembly: AssemblyFixture]</c> above): any test class
/// gets it by taking an <see cref="UnboundFixture"/> constructor parameter; no collection attribute is
/// needed, so integration test classes still run in parallel. Unbound starts once before the tests and
/// is killed after the last one. Its cache is shared: a test that needs a cold cache calls
/// <see cref="UnboundServer.FlushAllAsync"/>, and must then tolerate other tests refilling it. Answers
/// for <c>mx.test.</c> itself come straight from the auth-zone (not the cache), so their TTLs are the
/// zone's exactly. If Unbound is not installed, every test using the fixture fails with a message
/// saying how to install it: integration tests are never skipped silently.
/// </remarks>
public sealed class UnboundFixture : IAsyncLifetime
{
    private UnboundServer? _server;

    /// <summary>The running server.</summary>
    public UnboundServer Server => _server ?? throw new InvalidOperationException("The Unbound fixture has not started.");

    /// <summary>127.0.0.1 and Unbound's port (UDP and TCP).</summary>
    public IPEndPoint EndPoint => Server.EndPoint;

    /// <summary>The apex of the shared zone.</summary>
    public static string Zone => "mx.test.";

    public async ValueTask InitializeAsync() => _server = await UnboundServer.StartSharedZoneAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
