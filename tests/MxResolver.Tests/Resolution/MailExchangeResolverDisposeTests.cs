using Microsoft.Extensions.Time.Testing;
using MxResolver.Testing;

namespace MxResolver.Tests.Resolution;

/// <summary>A resolver made by the public constructor owns its stub client: disposing it closes the pooled connections.</summary>
public sealed class MailExchangeResolverDisposeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispose_PooledTcpConnection_ClosedAndLaterCallsRejected(bool async)
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: b =>
        {
            switch (q.Info!.QuestionType)
            {
                case DnsTypeCode.MX:
                    b.AddMx(RecordSection.Answer, q.Info.QuestionName!, 10, "mx.dispose.test.");
                    break;
                case DnsTypeCode.A:
                    b.AddA(RecordSection.Answer, q.Info.QuestionName!, "192.0.2.1");
                    break;
            }
        })));

        // On a fake clock the idle timeout never fires: only disposal can close the connection.
        var resolver = new MailExchangeResolver(new MxResolverOptions { NameServers = { "tcp://" + server.EndPoint } }, new FakeTimeProvider());
        MxResolution resolved = await resolver.ResolveAsync("dispose.test", Ct).AsTask().WaitAsync(Bound, Ct);
        Assert.Equal(MxResolutionStatus.Success, resolved.Status);
        Assert.Equal(1, server.OpenTcpConnectionCount);

        if (async)
        {
            await resolver.DisposeAsync().AsTask().WaitAsync(Bound, Ct);
        }
        else
        {
            resolver.Dispose();
        }

        Assert.True(await server.WaitForNoOpenConnectionsAsync(Bound, Ct), "the pooled connection is still open");
        Assert.Throws<ObjectDisposedException>(() => resolver.ResolveAsync("dispose.test", Ct));
        resolver.Dispose(); // again: harmless
        await resolver.DisposeAsync();
    }
}
