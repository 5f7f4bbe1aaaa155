namespace MxResolver.Dns;

/// <summary>
/// The one way the wire-format reader reports a malformed message: truncated data, a bad
/// compression pointer, an over-long name, an RDATA length that runs past the message, and so on.
/// No other exception type escapes the reader for any input.
/// </summary>
internal sealed class DnsFormatException : Exception
{
    public DnsFormatException(string message)
        : base(message)
    {
    }
}
