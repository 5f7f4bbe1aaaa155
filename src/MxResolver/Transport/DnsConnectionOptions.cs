namespace MxResolver.Transport;

/// <summary>Settings of <see cref="PipelinedDnsConnection"/> and <see cref="DnsConnectionPool"/>.</summary>
internal sealed class DnsConnectionOptions
{
    /// <summary>The default idle timeout: 10 s (RFC 7766 §6.2.3 suggests seconds, not minutes, for clients).</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most queries in flight on one connection (RFC 7766 §6.2.1.1 pipelining); further queries
    /// wait for a slot (back-pressure). Default 64.
    /// </summary>
    public int MaxInFlightPerConnection { get; init; } = 64;

    /// <summary>The most connections the pool keeps to one server. Default 4.</summary>
    public int MaxConnectionsPerServer { get; init; } = 4;

    /// <summary>
    /// The pool opens another connection to a server (up to <see cref="MaxConnectionsPerServer"/>)
    /// once every open one carries at least this many queries. Default 8.
    /// </summary>
    public int OpenAnotherAtLoad { get; init; } = 8;

    /// <summary>
    /// How long a connection with nothing in flight stays open (RFC 7766 §6.2.3). A server's
    /// edns-tcp-keepalive timeout (RFC 7828) shortens it, never lengthens it. Default 10 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>How long connecting (TCP, and the TLS handshake) may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether queries carry an empty edns-tcp-keepalive option (RFC 7828 §3.2.1), so a server that
    /// supports it tells its idle timeout. Added only to queries whose OPT record ends the message. Default on.
    /// </summary>
    public bool RequestKeepalive { get; init; } = true;

    /// <summary>
    /// Whether to set TCP_QUICKACK after every read on Linux, so replies are acknowledged at once
    /// instead of after the delayed-ACK timer; see the stall notes on <see cref="PipelinedDnsConnection"/>. Default on.
    /// </summary>
    public bool QuickAck { get; init; } = true;

    /// <summary>How DNS over TLS servers are authenticated.</summary>
    public DnsTlsClientOptions Tls { get; init; } = DnsTlsClientOptions.Default;

    /// <summary>The clock for idle timeouts, connect timeouts and round-trip times.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightPerConnection, 1, nameof(MaxInFlightPerConnection));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInFlightPerConnection, 8192, nameof(MaxInFlightPerConnection));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerServer, 1, nameof(MaxConnectionsPerServer));
        ArgumentOutOfRangeException.ThrowIfLessThan(OpenAnotherAtLoad, 1, nameof(OpenAnotherAtLoad));
        if (IdleTimeout < TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "The idle timeout is zero or more, or infinite.");
        }

        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "The connect timeout is positive or infinite.");
        }

        ArgumentNullException.ThrowIfNull(Tls);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
