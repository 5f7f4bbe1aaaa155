using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MxResolver.Tests.Policy;

/// <summary>
/// A real HTTPS server (Kestrel on 127.0.0.1, a random port) serving MTA-STS policies by host name,
/// with a certificate per name from a test CA made at start: the well-behaved and the hostile cases
/// a policy fetcher meets.
/// </summary>
internal sealed class PolicyHttpsServer : IAsyncDisposable
{
    public const string GoodPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.good.test\r\nmx: *.good.test\r\nmax_age: 86400\r\n";

    private readonly WebApplication _app;
    private readonly Dictionary<string, X509Certificate2> _certificates;

    private PolicyHttpsServer(WebApplication app, X509Certificate2 ca, Dictionary<string, X509Certificate2> certificates, int port)
    {
        _app = app;
        Ca = ca;
        _certificates = certificates;
        Port = port;
    }

    /// <summary>The CA that issued every certificate the server presents (clients trust it explicitly).</summary>
    public X509Certificate2 Ca { get; }

    public int Port { get; }

    /// <summary>Completed when the slow host has received its request (the test then moves the fake clock).</summary>
    public TaskCompletionSource SlowRequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many requests each host received.</summary>
    public Dictionary<string, int> Requests { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The policy text served for <c>mta-sts.good.test</c> (tests change it to model a new policy).</summary>
    public string GoodText { get; set; } = GoodPolicy;

    public static async Task<PolicyHttpsServer> StartAsync(CancellationToken cancellationToken)
    {
        X509Certificate2 ca = TestCertificates.CreateCa("MxResolver test policy CA");
        var certificates = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        foreach (string host in new[] { "good", "malformed", "redirect", "big", "slow", "html", "missing" })
        {
            string name = $"mta-sts.{host}.test";
            certificates[name] = TestCertificates.CreateLeaf(name, [name], ca);
        }

        // A certificate for another name, presented for mta-sts.wrongname.test.
        certificates["mta-sts.wrongname.test"] = TestCertificates.CreateLeaf("mta-sts.other.test", ["mta-sts.other.test"], ca);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
            https.ServerCertificateSelector = (_, name) => name is not null && certificates.TryGetValue(name, out X509Certificate2? certificate)
                ? certificate
                : certificates["mta-sts.good.test"])));
        WebApplication app = builder.Build();
        PolicyHttpsServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        string address = app.Services.GetService(typeof(IServer)) is IServer kestrel
            ? kestrel.Features.Get<IServerAddressesFeature>()!.Addresses.Single()
            : throw new InvalidOperationException("Kestrel did not start.");
        server = new PolicyHttpsServer(app, ca, certificates, new Uri(address).Port);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        foreach (X509Certificate2 certificate in _certificates.Values)
        {
            certificate.Dispose();
        }

        Ca.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string host = context.Request.Host.Host;
        lock (Requests)
        {
            Requests[host] = Requests.GetValueOrDefault(host) + 1;
        }

        if (context.Request.Path != "/.well-known/mta-sts.txt")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        switch (host)
        {
            case "mta-sts.good.test":
            case "mta-sts.wrongname.test":
                await WriteAsync(context, "text/plain; charset=utf-8", GoodText);
                break;
            case "mta-sts.malformed.test":
                await WriteAsync(context, "text/plain", "version: STSv1\nmode: sometimes\nmx: mx.malformed.test\nmax_age: 86400\n");
                break;
            case "mta-sts.redirect.test":
                context.Response.StatusCode = StatusCodes.Status302Found;
                context.Response.Headers.Location = "https://mta-sts.good.test/.well-known/mta-sts.txt";
                break;
            case "mta-sts.big.test":
                // A valid start followed by 100 KiB of comment-like padding: too big whatever it says.
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("version: STSv1\nmode: testing\nmx: mx.big.test\nmax_age: 86400\n");
                await context.Response.WriteAsync(new string('x', 100 * 1024));
                break;
            case "mta-sts.slow.test":
                context.Response.ContentType = "text/plain";
                await context.Response.StartAsync(context.RequestAborted);
                SlowRequestArrived.TrySetResult();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as it should.
                }

                break;
            case "mta-sts.html.test":
                await WriteAsync(context, "text/html", "<html><body>version: STSv1</body></html>");
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    private static async Task WriteAsync(HttpContext context, string contentType, string body)
    {
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }
}
