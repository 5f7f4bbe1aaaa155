namespace MxResolver.Tests.Infrastructure;

/// <summary>
/// The secure-delivery lab (<see cref="SecureMailLab"/>: a validating Unbound with the signed zone
/// <c>lab.test.</c> and three loopback SMTP servers on one port). A class fixture: started only for
/// the classes that ask for it.
/// </summary>
public sealed class SecureMailLabFixture : IAsyncLifetime
{
    private SecureMailLab? _lab;

    public SecureMailLab Lab => _lab ?? throw new InvalidOperationException("The secure mail lab has not started.");

    public async ValueTask InitializeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _lab = await SecureMailLab.StartAsync(bound.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }
}
