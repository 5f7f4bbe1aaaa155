namespace MxResolver.Testing;

/// <summary>One message the server sends back.</summary>
/// <param name="Message">The DNS message (framed automatically over TCP unless <see cref="FrameForTcp"/> is false).</param>
public sealed record ScriptedReply(byte[] Message)
{
    /// <summary>Wait this long before sending (after the previous reply of the same response).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>UDP only: which socket sends it.</summary>
    public ReplySource Source { get; init; } = ReplySource.ListeningSocket;

    /// <summary>TCP only: when positive, the framed reply is written one byte at a time with this pause between bytes.</summary>
    public TimeSpan DribbleDelay { get; init; }

    /// <summary>TCP only: prefix the two-byte length (RFC 1035 §4.2.2). False sends the bytes as given.</summary>
    public bool FrameForTcp { get; init; } = true;
}
