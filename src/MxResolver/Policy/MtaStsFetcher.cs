using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MxResolver.Diagnostics;

namespace MxResolver.Policy;

/// <summary>Finds the addresses of a host with the library's own DNS client (one DNS view for everything).</summary>
/// <param name="host">The host name, ASCII, without the trailing dot.</param>
/// <param name="cancellationToken">Stops the lookup.</param>
/// <returns>The addresses in the order to try; empty when the host has none.</returns>
internal delegate ValueTask<IReadOnlyList<IPAddress>> HostAddressResolver(string host, CancellationToken cancellationToken);

/// <summary>How a policy fetch is bounded.</summary>
/// <param name="Timeout">The most one fetch may take, connection and body included.</param>
/// <param name="MaxPolicyBytes">The largest policy body accepted.</param>
/// <param name="PortOverride">Connect to this port instead of 443 (tests on loopback); the URL, SNI and certificate check keep the real name.</param>
internal sealed record MtaStsFetchSettings(TimeSpan Timeout, int MaxPolicyBytes, int? PortOverride = null)
{
    /// <summary>20 seconds and 64 KiB: a policy is a few hundred bytes, and a sender should not wait long on it.</summary>
    public static MtaStsFetchSettings Default { get; } = new(TimeSpan.FromSeconds(20), 64 * 1024);
}

/// <summary>The outcome of one policy fetch: a parsed policy and its text, or why there is none.</summary>
internal sealed class MtaStsFetchResult
{
    private MtaStsFetchResult(MtaStsPolicy? policy, string? text, TlsRptResultType? failure, string? error)
    {
        Policy = policy;
        Text = text;
        Failure = failure;
        Error = error;
    }

    /// <summary>The policy, when the fetch and the parse succeeded.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>The policy's text as served, when it was valid.</summary>
    public string? Text { get; }

    /// <summary>The RFC 8460 result type of a failure: fetch error, invalid policy, or a certificate that failed PKIX validation.</summary>
    public TlsRptResultType? Failure { get; }

    /// <summary>Why there is no policy, worded for a log (no personal data: only the policy host).</summary>
    public string? Error { get; }

    public static MtaStsFetchResult Success(MtaStsPolicy policy, string text) => new(policy, text, null, null);

    public static MtaStsFetchResult Failed(TlsRptResultType failure, string error) => new(null, null, failure, error);
}

/// <summary>
/// Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> (RFC 8461 §3.3): only a
/// 200 answer counts, redirects are not followed, the media type must be <c>text/plain</c>, the
/// certificate must be PKIX-valid for <c>mta-sts.&lt;domain&gt;</c>, and the body is capped in size
/// and time. The policy host is resolved with the library's own DNS client and the connection made
/// to that address, while the URL keeps the name for SNI and the certificate check.
/// </summary>
internal sealed class MtaStsFetcher : IDisposable
{
    /// <summary>The path RFC 8461 §3.3 fixes for the policy.</summary>
    public const string WellKnownPath = "/.well-known/mta-sts.txt";

    private readonly MtaStsFetchSettings _settings;
    private readonly HostAddressResolver _resolve;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly MxResolverTelemetry? _telemetry;

    /// <summary>Creates a fetcher.</summary>
    /// <param name="settings">Timeout and size cap.</param>
    /// <param name="resolve">Finds the policy host's addresses.</param>
    /// <param name="configureHandler">
    /// Lets the user adjust the handler (a proxy, their own trust store through
    /// <c>SslOptions.CertificateChainPolicy</c>). Redirects stay off and the connection stays ours
    /// whatever it sets.
    /// </param>
    /// <param name="time">The clock of the fetch timeout.</param>
    /// <param name="telemetry">Where fetches are counted and timed, and the source of their spans; optional.</param>
    public MtaStsFetcher(MtaStsFetchSettings settings, HostAddressResolver resolve, Action<SocketsHttpHandler>? configureHandler, TimeProvider time, MxResolverTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _resolve = resolve;
        _time = time;
        _telemetry = telemetry;

        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        configureHandler?.Invoke(handler);

        // RFC 8461 §3.3: redirects MUST NOT be followed. Whatever the user configured, this holds,
        // and so does our connection to the address our own resolver found.
        handler.AllowAutoRedirect = false;
        handler.ConnectCallback = ConnectAsync;
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>Fetches and parses the policy of <paramref name="asciiDomain"/>.</summary>
    /// <param name="asciiDomain">The policy domain, ASCII, without the trailing dot.</param>
    /// <param name="cancellationToken">Stops the fetch; the caller's cancellation is thrown, not reported as a failure.</param>
    /// <remarks>
    /// Each fetch is a <c>MxResolver.MtaStsFetch</c> span (kind client, <c>server.address</c> the
    /// policy host) and is counted (<c>mxresolver.mta_sts.fetches</c>) and timed
    /// (<c>mxresolver.mta_sts.fetch.duration</c>) with its result: <c>success</c> or the RFC 8460
    /// result type. A fetch the caller cancelled is not counted.
    /// </remarks>
    public async Task<MtaStsFetchResult> FetchAsync(string asciiDomain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(asciiDomain);
        using Activity? activity = MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.PolicyFetchActivity, ActivityKind.Client);
        activity?.SetTag(MxResolverTags.Domain, asciiDomain.TrimEnd('.'));
        activity?.SetTag(MxResolverTags.ServerAddress, "mta-sts." + asciiDomain.TrimEnd('.'));
        long started = _time.GetTimestamp();
        MtaStsFetchResult result = await FetchCoreAsync(asciiDomain, cancellationToken).ConfigureAwait(false);
        string outcome = result.Failure is { } failure ? TlsRptNames.Of(failure) : PolicyTelemetry.Success;
        var tag = new KeyValuePair<string, object?>(MxResolverTags.TlsResult, outcome);
        _telemetry?.PolicyFetches.Add(1, tag);
        _telemetry?.PolicyFetchDuration.Record(_time.GetElapsedTime(started).TotalSeconds, tag);
        if (activity is not null)
        {
            activity.SetTag(MxResolverTags.TlsResult, outcome);
            if (result.Error is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }

        return result;
    }

    private async Task<MtaStsFetchResult> FetchCoreAsync(string asciiDomain, CancellationToken cancellationToken)
    {
        string host = "mta-sts." + asciiDomain.TrimEnd('.');
        using var timeout = new CancellationTokenSource(_settings.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(Uri.UriSchemeHttps, host) { Path = WellKnownPath }.Uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                string what = (int)response.StatusCode is >= 300 and < 400
                    ? $"a redirect ({(int)response.StatusCode}), which RFC 8461 §3.3 forbids following"
                    : $"HTTP {(int)response.StatusCode}";
                return MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyFetchError, $"https://{host}{WellKnownPath} answered {what}.");
            }

            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
            {
                return MtaStsFetchResult.Failed(
                    TlsRptResultType.StsPolicyInvalid,
                    $"https://{host}{WellKnownPath} is served as '{mediaType ?? "(no media type)"}', not text/plain (RFC 8461 §3.2).");
            }

            if (response.Content.Headers.ContentLength > _settings.MaxPolicyBytes)
            {
                return TooLarge(host);
            }

            byte[]? body = await ReadCappedAsync(response.Content, _settings.MaxPolicyBytes, linked.Token).ConfigureAwait(false);
            if (body is null)
            {
                return TooLarge(host);
            }

            string text;
            try
            {
                text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);
            }
            catch (DecoderFallbackException)
            {
                return MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyInvalid, $"The policy at https://{host}{WellKnownPath} is not UTF-8 text.");
            }

            return MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error)
                ? MtaStsFetchResult.Success(policy, text)
                : MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyInvalid, $"The policy at https://{host}{WellKnownPath} is invalid: {error}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyFetchError, $"Fetching https://{host}{WellKnownPath} took longer than {_settings.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            return MtaStsFetchResult.Failed(
                TlsRptResultType.StsWebPkiInvalid,
                $"https://{host} did not present a certificate valid for that name (RFC 8461 §3.3): {e.InnerException.Message}");
        }
        catch (HttpRequestException e)
        {
            return MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyFetchError, $"Fetching https://{host}{WellKnownPath} failed: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static MtaStsFetchResult TooLarge(string host)
        => MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyInvalid, $"The policy at https://{host}{WellKnownPath} is larger than the size cap.");

    /// <summary>Reads the body, or returns <see langword="null"/> as soon as it passes <paramref name="cap"/> bytes.</summary>
    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, int cap, CancellationToken cancellationToken)
    {
        using Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[4096];
        while (true)
        {
            int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > cap)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        int port = _settings.PortOverride ?? context.DnsEndPoint.Port;
        IReadOnlyList<IPAddress> addresses = await _resolve(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            throw new HttpRequestException($"{host} has no address.");
        }

        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException($"No address of {host} accepted a connection.", last);
    }
}
