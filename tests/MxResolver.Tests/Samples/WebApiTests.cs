extern alias WebApi;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Samples;

/// <summary>
/// The WebApi sample end to end: the app as configured by its appsettings.json, with the name
/// servers overridden to the loopback Unbound and loopback addresses allowed.
/// </summary>
public sealed class WebApiTests(UnboundFixture unbound) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private WebApplicationFactory<WebApi::Program>? _factory;
    private HttpClient? _client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<WebApi::Program>().WithWebHostBuilder(builder => builder
            .UseSetting("MxResolver:NameServers:0", unbound.EndPoint.ToString())
            .UseSetting("MxResolver:BlockedAddresses", "Unspecified, Broadcast, Multicast, LinkLocal")
            .ConfigureLogging(logging => logging.ClearProviders()));
        _client = _factory.CreateClient();
        _client.Timeout = Bound;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    private HttpClient Client => _client!;

    [Fact]
    public async Task GetMx_Domain_ResolutionAsJson()
    {
        using HttpResponseMessage response = await Client.GetAsync("/mx/plain.mx.test", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("plain.mx.test", json.GetProperty("input").GetString());
        Assert.Equal("plain.mx.test", json.GetProperty("domain").GetString());
        Assert.Equal("plain.mx.test", json.GetProperty("asciiDomain").GetString());
        Assert.Equal("success", json.GetProperty("status").GetString());
        Assert.False(json.GetProperty("permanent").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("enhancedStatusCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
        Assert.Equal(0, json.GetProperty("warnings").GetArrayLength());
        Assert.InRange(json.GetProperty("ttlSeconds").GetInt64(), 1, 300);
        Assert.False(json.GetProperty("stale").GetBoolean());
        JsonElement[] targets = json.GetProperty("targets").EnumerateArray().ToArray();
        Assert.Equal(["mx1.plain.mx.test", "mx2.plain.mx.test", "mx3.plain.mx.test"], targets.Select(t => t.GetProperty("host").GetString()));
        Assert.Equal([10, 20, 30], targets.Select(t => t.GetProperty("preference").GetInt32()));
        Assert.All(targets, t => Assert.False(t.GetProperty("implicit").GetBoolean()));
        Assert.Equal(["2001:db8::11", "192.0.2.11"], targets[0].GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task GetMx_UnicodeDomain_BothForms()
    {
        using HttpResponseMessage response = await Client.GetAsync("/mx/b%C3%BCcher.mx.test", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bücher.mx.test", json.GetProperty("domain").GetString());
        Assert.Equal("xn--bcher-kva.mx.test", json.GetProperty("asciiDomain").GetString());
    }

    [Fact]
    public async Task GetMx_NoSuchDomain_OkWithPermanentStatus()
    {
        using HttpResponseMessage response = await Client.GetAsync("/mx/nxdomain.mx.test", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-such-domain", json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("permanent").GetBoolean());
        Assert.Equal("5.1.2", json.GetProperty("enhancedStatusCode").GetString());
        Assert.Equal(0, json.GetProperty("targets").GetArrayLength());
    }

    [Fact]
    public async Task GetMx_InvalidDomain_BadRequest()
    {
        using HttpResponseMessage response = await Client.GetAsync("/mx/a..b", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid-input", json.GetProperty("status").GetString());
        Assert.Equal("5.1.3", json.GetProperty("enhancedStatusCode").GetString());
    }

    [Fact]
    public async Task CanReceiveMail_DomainWithMx_True()
    {
        using HttpResponseMessage response = await Client.GetAsync("/can-receive-mail?address=someone%40plain.mx.test", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("someone@plain.mx.test", json.GetProperty("address").GetString());
        Assert.True(json.GetProperty("canReceiveMail").GetBoolean());
        Assert.Equal("success", json.GetProperty("status").GetString());
        Assert.False(json.GetProperty("permanent").GetBoolean());
        Assert.Contains("mx1.plain.mx.test", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanReceiveMail_LoopbackTargetsAllowedByConfiguration_True()
    {
        // failover.mx.test's targets are on 127.0.0.0/8: blocked by default, allowed by the test's override.
        using HttpResponseMessage response = await Client.GetAsync("/can-receive-mail?address=someone%40failover.mx.test", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.GetProperty("canReceiveMail").GetBoolean());
    }

    [Theory]
    [InlineData("null-mx.mx.test", "null-mx", "null MX")]
    [InlineData("nxdomain.mx.test", "no-such-domain", "does not exist")]
    [InlineData("txt-only.mx.test", "no-mail-host", "no mail server")]
    public async Task CanReceiveMail_PermanentFailure_FalseWithReason(string domain, string status, string reason)
    {
        using HttpResponseMessage response = await Client.GetAsync($"/can-receive-mail?address=someone%40{domain}", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(json.GetProperty("canReceiveMail").GetBoolean());
        Assert.Equal(status, json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("permanent").GetBoolean());
        Assert.Contains(reason, json.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanReceiveMail_TemporaryFailure_ServiceUnavailableWithRetryAfter()
    {
        using HttpResponseMessage response = await Client.GetAsync("/can-receive-mail?address=someone%40z.broken.mx.test", Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.False(json.GetProperty("canReceiveMail").GetBoolean());
        Assert.Equal("temporary-failure", json.GetProperty("status").GetString());
        Assert.False(json.GetProperty("permanent").GetBoolean());
        Assert.Contains("retry later", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/can-receive-mail")]
    [InlineData("/can-receive-mail?address=")]
    [InlineData("/can-receive-mail?address=plain.mx.test")]
    [InlineData("/can-receive-mail?address=%40plain.mx.test")]
    [InlineData("/can-receive-mail?address=someone%40")]
    [InlineData("/can-receive-mail?address=someone%40a..b")]
    public async Task CanReceiveMail_MissingOrInvalidAddress_BadRequest(string url)
    {
        using HttpResponseMessage response = await Client.GetAsync(url, Ct);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(json.GetProperty("canReceiveMail").GetBoolean());
        Assert.Equal("invalid-input", json.GetProperty("status").GetString());
    }
}
