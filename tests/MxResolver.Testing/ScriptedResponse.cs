namespace MxResolver.Testing;

/// <summary>What the script does with one query: replies in order, then optionally closes the TCP connection.</summary>
public sealed class ScriptedResponse
{
    private ScriptedResponse(IReadOnlyList<ScriptedReply> replies, bool closeConnection)
    {
        Replies = replies;
        CloseConnection = closeConnection;
    }

    public IReadOnlyList<ScriptedReply> Replies { get; }

    /// <summary>TCP only: close the connection after the replies (without any reply for <see cref="Close"/>).</summary>
    public bool CloseConnection { get; }

    /// <summary>Send nothing (the client must time out).</summary>
    public static ScriptedResponse Nothing { get; } = new([], false);

    /// <summary>One reply from the listening socket, at once.</summary>
    public static ScriptedResponse Reply(byte[] message) => new([new ScriptedReply(message)], false);

    /// <summary>Several replies in order, each with its own delay and source.</summary>
    public static ScriptedResponse Sequence(params ScriptedReply[] replies) => new(replies, false);

    /// <summary>TCP: close the connection without replying. UDP: nothing is sent.</summary>
    public static ScriptedResponse Close() => new([], true);

    /// <summary>TCP: the framed reply one byte at a time, <paramref name="perByte"/> apart.</summary>
    public static ScriptedResponse Dribble(byte[] message, TimeSpan perByte) =>
        new([new ScriptedReply(message) { DribbleDelay = perByte }], false);

    /// <summary>These replies, then close the TCP connection.</summary>
    public ScriptedResponse ThenClose() => new(Replies, true);
}
