namespace WaSms.WhatsApp.Binary;

/// <summary>One attribute of a <see cref="Node"/>: a non-empty key and a string or JID value.</summary>
/// <param name="Key">The attribute name.</param>
/// <param name="Value">The value; a string converts implicitly, and so does a <see cref="Jid"/>.</param>
public readonly record struct NodeAttribute(string Key, AttrValue Value);
