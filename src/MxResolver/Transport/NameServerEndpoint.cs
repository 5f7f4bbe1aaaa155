using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;

namespace MxResolver.Transport;

/// <summary>How queries reach a name server.</summary>
internal enum DnsTransport
{
    /// <summary>UDP (RFC 1035 §4.2.1), with TCP for truncated replies (RFC 7766 §5). Default port 53.</summary>
    Udp = 0,

    /// <summary>TCP only (RFC 7766), on a persistent pipelined connection. Default port 53.</summary>
    Tcp = 1,

    /// <summary>DNS over TLS (RFC 7858), strict privacy profile (RFC 8310 §5): the server must authenticate. Default port 853.</summary>
    Tls = 2,
}

/// <summary>
/// One configured name server: transport, address and port, and for DNS over TLS how the server
/// is authenticated (a name, SPKI pins, or both).
/// </summary>
/// <remarks>
/// <para>Text syntax accepted by <see cref="Parse"/> (whitespace around the entry is ignored):</para>
/// <code>
/// [scheme://]address[port][#auth-name][?pin=sha256/BASE64[&amp;pin=sha256/BASE64...]]
/// scheme  : udp | tcp | tls          (case-insensitive; default udp, or tls when #name or a pin is given)
/// address : IPv4 dotted quad, IPv6 in brackets ([2001:db8::1]), or bare IPv6 when no :port follows
/// port    : ":port" (IPv4 or bracketed IPv6) or "@port" (any address, the Unbound / systemd-resolved form)
/// </code>
/// <para>Examples: <c>192.0.2.53</c>, <c>192.0.2.53:5353</c>, <c>[2001:db8::1]:53</c>,
/// <c>tcp://192.0.2.53</c>, <c>tls://192.0.2.53#dns.example</c> (port 853),
/// <c>192.0.2.53@853#dns.example</c> (TLS: a name only means something for TLS),
/// <c>tls://192.0.2.53:8853#dns.example</c>,
/// <c>tls://192.0.2.53#dns.example?pin=sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</c>.</para>
/// <para>
/// A pin is the base64 SHA-256 digest of the server certificate's DER-encoded SubjectPublicKeyInfo
/// (the RFC 7469 §2.4 form, as RFC 7858 §4.2 uses it); several pins may be given (a backup pin for
/// key rotation). A TLS entry needs an authentication name, a pin, or both: RFC 8310's strict
/// profile never talks to an unauthenticated server, so a bare <c>tls://192.0.2.53</c> is rejected.
/// An IP address is never taken as the authentication name.
/// </para>
/// </remarks>
/// <param name="Transport">How queries are carried.</param>
/// <param name="EndPoint">The server's address and port.</param>
/// <param name="AuthenticationName">The name the TLS certificate must carry (RFC 8310 §8), also sent as SNI; <see langword="null"/> when none was given.</param>
/// <param name="SpkiPins">SHA-256 digests (32 bytes each) of acceptable SubjectPublicKeyInfo structures; empty when none.</param>
internal sealed record NameServerEndpoint(DnsTransport Transport, IPEndPoint EndPoint, string? AuthenticationName, ImmutableArray<ImmutableArray<byte>> SpkiPins)
{
    /// <summary>The DNS port for UDP and TCP (RFC 1035 §4.2).</summary>
    public const int DnsPort = 53;

    /// <summary>The DNS over TLS port (RFC 7858 §3.1).</summary>
    public const int TlsPort = 853;

    private const string PinPrefix = "sha256/";

    /// <summary>UDP (TCP for truncated replies) to <paramref name="endPoint"/>; the endpoint is copied, as <see cref="IPEndPoint"/> is mutable.</summary>
    public static NameServerEndpoint ForUdp(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new NameServerEndpoint(DnsTransport.Udp, new IPEndPoint(endPoint.Address, endPoint.Port), null, []);
    }

    /// <summary>
    /// Whether every reply from this server arrives over a channel that authenticated the server:
    /// DNS over TLS, strict profile (a name or a pin is required, and a failed check never falls back).
    /// Only such a resolver's AD bit can be trusted (RFC 6840 §5.9, RFC 8310); UDP and TCP replies can be forged on the path.
    /// </summary>
    public bool IsAuthenticated => Transport == DnsTransport.Tls;

    /// <summary>Plain TCP to <paramref name="endPoint"/>.</summary>
    public static NameServerEndpoint ForTcp(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new NameServerEndpoint(DnsTransport.Tcp, endPoint, null, []);
    }

    /// <summary>DNS over TLS to <paramref name="endPoint"/>, authenticated by <paramref name="authenticationName"/> and/or <paramref name="pins"/>.</summary>
    public static NameServerEndpoint ForTls(IPEndPoint endPoint, string? authenticationName, params ReadOnlySpan<byte[]> pins)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var builder = ImmutableArray.CreateBuilder<ImmutableArray<byte>>(pins.Length);
        foreach (byte[] pin in pins)
        {
            if (pin is not { Length: 32 })
            {
                throw new ArgumentException("An SPKI pin is a 32-byte SHA-256 digest.", nameof(pins));
            }

            builder.Add([.. pin]);
        }

        if (authenticationName is null && builder.Count == 0)
        {
            throw new ArgumentException("DNS over TLS needs an authentication name or an SPKI pin (RFC 8310 strict profile).", nameof(authenticationName));
        }

        return new NameServerEndpoint(DnsTransport.Tls, endPoint, authenticationName, builder.MoveToImmutable());
    }

    /// <summary>Whether the server is authenticated by SPKI pins (RFC 7858 §4.2) rather than by name alone.</summary>
    public bool HasPins => !SpkiPins.IsDefaultOrEmpty;

    /// <summary>Parses one server entry; see the type's remarks for the syntax.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The entry is malformed; the message names the part that is wrong.</exception>
    public static NameServerEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out NameServerEndpoint? entry, out string? error) ? entry : throw new FormatException(error);
    }

    /// <summary>Parses one server entry without throwing.</summary>
    /// <param name="text">The entry.</param>
    /// <param name="entry">The parsed entry, or <see langword="null"/>.</param>
    /// <param name="error">What is wrong, quoting the entry, or <see langword="null"/> on success.</param>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NameServerEndpoint? entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        if (TryParseEntry(text, out entry, out error))
        {
            return true;
        }

        error = string.IsNullOrWhiteSpace(text) ? "The name server entry is empty." : $"Invalid name server entry '{text.Trim()}': {error}";
        return false;
    }

    /// <summary>Parses one server entry without throwing; <paramref name="problem"/> says what is wrong without quoting the entry (for messages that quote it already).</summary>
    internal static bool TryParseEntry(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NameServerEndpoint? entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        entry = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the entry is empty.";
            return false;
        }

        string original = text.Trim();
        string rest = original;
        static string Fail(string what) => what;

        // Scheme.
        DnsTransport? transport = null;
        int schemeEnd = rest.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            string scheme = rest[..schemeEnd];
            transport = scheme.ToUpperInvariant() switch
            {
                "UDP" => DnsTransport.Udp,
                "TCP" => DnsTransport.Tcp,
                "TLS" or "DOT" => DnsTransport.Tls,
                _ => null,
            };
            if (transport is null)
            {
                problem = Fail($"unknown scheme '{scheme}' (expected udp://, tcp:// or tls://).");
                return false;
            }

            rest = rest[(schemeEnd + 3)..];
        }

        // Query part: pins.
        var pins = ImmutableArray.CreateBuilder<ImmutableArray<byte>>();
        int queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            string query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
            foreach (string parameter in query.Split('&'))
            {
                int equals = parameter.IndexOf('=', StringComparison.Ordinal);
                string key = equals < 0 ? parameter : parameter[..equals];
                if (!key.Equals("pin", StringComparison.OrdinalIgnoreCase) || equals < 0)
                {
                    problem = Fail($"unknown parameter '{parameter}' (only pin=sha256/BASE64 is understood).");
                    return false;
                }

                string value = parameter[(equals + 1)..];
                if (!value.StartsWith(PinPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    problem = Fail($"the pin '{value}' does not start with 'sha256/' (only SHA-256 SPKI pins are supported).");
                    return false;
                }

                byte[] digest = new byte[32];
                if (!Convert.TryFromBase64String(value[PinPrefix.Length..], digest, out int written) || written != 32)
                {
                    problem = Fail($"the pin '{value}' is not the base64 of a 32-byte SHA-256 digest.");
                    return false;
                }

                pins.Add([.. digest]);
            }
        }

        // Authentication name.
        string? authName = null;
        int hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            authName = rest[(hash + 1)..];
            rest = rest[..hash];
            if (!IsHostName(authName))
            {
                problem = Fail($"the authentication name '{authName}' is not a valid host name.");
                return false;
            }

            authName = authName.TrimEnd('.');
        }

        // Port: "@port" anywhere, or ":port" after IPv4 / bracketed IPv6.
        string? portText = null;
        string addressText;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            portText = rest[(at + 1)..];
            rest = rest[..at];
        }

        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = Fail("'[' opens an IPv6 address that no ']' closes.");
                return false;
            }

            addressText = rest[1..close];
            string after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':' || portText is not null)
                {
                    problem = Fail($"unexpected '{after}' after the IPv6 address.");
                    return false;
                }

                portText = after[1..];
            }
        }
        else
        {
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && rest.IndexOf(':', colon + 1) < 0)
            {
                // One colon: IPv4 (or a name) and a port.
                if (portText is not null)
                {
                    problem = Fail("the port is given twice (':' and '@').");
                    return false;
                }

                addressText = rest[..colon];
                portText = rest[(colon + 1)..];
            }
            else
            {
                addressText = rest; // IPv4 without port, or bare IPv6
            }
        }

        if (addressText.Length == 0)
        {
            problem = Fail("the address is missing.");
            return false;
        }

        if (!IPAddress.TryParse(addressText, out IPAddress? address) || !IsLiteral(addressText, address))
        {
            problem = Fail($"'{addressText}' is not an IP address (a name server is given by address; a host name may follow '#').");
            return false;
        }

        transport ??= authName is not null || pins.Count > 0 ? DnsTransport.Tls : DnsTransport.Udp;
        if (transport != DnsTransport.Tls && (authName is not null || pins.Count > 0))
        {
            problem = Fail($"an authentication name or pin only applies to tls://, not {transport.Value.ToString().ToLowerInvariant()}://.");
            return false;
        }

        if (transport == DnsTransport.Tls && authName is null && pins.Count == 0)
        {
            problem = Fail("DNS over TLS needs an authentication name (#dns.example) or a pin (?pin=sha256/...): an unauthenticated server is never used (RFC 8310 strict profile).");
            return false;
        }

        int port = transport == DnsTransport.Tls ? TlsPort : DnsPort;
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                problem = Fail($"the port '{portText}' is not a number from 1 to 65535.");
                return false;
            }
        }

        entry = new NameServerEndpoint(transport.Value, new IPEndPoint(address, port), authName, pins.ToImmutable());
        problem = null;
        return true;
    }

    /// <summary>The canonical text form, which <see cref="Parse"/> reads back to an equal entry.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Transport switch { DnsTransport.Tcp => "tcp://", DnsTransport.Tls => "tls://", _ => "udp://" });
        text.Append(EndPoint.ToString()); // 192.0.2.53:53 or [2001:db8::1]:53
        if (AuthenticationName is not null)
        {
            text.Append('#').Append(AuthenticationName);
        }

        if (HasPins)
        {
            char separator = '?';
            foreach (ImmutableArray<byte> pin in SpkiPins)
            {
                text.Append(separator).Append("pin=").Append(PinPrefix).Append(Convert.ToBase64String(pin.AsSpan()));
                separator = '&';
            }
        }

        return text.ToString();
    }

    /// <summary>Value equality, pins compared by content.</summary>
    public bool Equals(NameServerEndpoint? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Transport != other.Transport || !EndPoint.Equals(other.EndPoint) || !string.Equals(AuthenticationName, other.AuthenticationName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ImmutableArray<ImmutableArray<byte>> mine = SpkiPins.IsDefault ? [] : SpkiPins;
        ImmutableArray<ImmutableArray<byte>> theirs = other.SpkiPins.IsDefault ? [] : other.SpkiPins;
        if (mine.Length != theirs.Length)
        {
            return false;
        }

        for (int i = 0; i < mine.Length; i++)
        {
            if (!mine[i].AsSpan().SequenceEqual(theirs[i].AsSpan()))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(Transport, EndPoint, AuthenticationName is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(AuthenticationName), SpkiPins.IsDefaultOrEmpty ? 0 : SpkiPins.Length);

    private static bool IsLiteral(string text, IPAddress address)
    {
        // IPAddress.TryParse accepts "1", "1.2" and "0x7f.1" (inet_aton forms): require a dotted quad for IPv4.
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return true;
        }

        string[] parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private static bool IsHostName(string name)
    {
        string trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length is 0 or > 253)
        {
            return false;
        }

        foreach (string label in trimmed.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
                {
                    return false;
                }
            }
        }

        return true;
    }
}
