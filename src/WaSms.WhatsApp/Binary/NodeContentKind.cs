namespace WaSms.WhatsApp.Binary;

/// <summary>What a <see cref="Node"/> carries after its attributes.</summary>
public enum NodeContentKind
{
    /// <summary>No content: the node's list has an odd size.</summary>
    None = 0,

    /// <summary>A list of child nodes (possibly empty).</summary>
    Nodes = 1,

    /// <summary>Bytes. String content on the wire (token, packed, JID) decodes to its UTF-8 bytes.</summary>
    Bytes = 2,
}
