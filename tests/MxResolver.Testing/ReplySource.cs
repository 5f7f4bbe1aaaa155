namespace MxResolver.Testing;

/// <summary>Which socket a UDP reply leaves from.</summary>
public enum ReplySource
{
    /// <summary>The server's own socket: a genuine reply.</summary>
    ListeningSocket,

    /// <summary>A fresh socket on 127.0.0.1 with another port: a forgery (RFC 5452 §9.1).</summary>
    OtherPort,

    /// <summary>A socket on 127.0.0.2 with the server's port: a forgery from another address.</summary>
    OtherAddress,
}
