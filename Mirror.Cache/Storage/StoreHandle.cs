namespace Mirror.Cache.Storage;

/// <summary>
/// An entry of this node's index: its shard and slot. Valid while the entry is leased, or retired by its
/// remover; a slot is reused only after its entry is removed.
/// </summary>
internal readonly record struct StoreHandle(int Shard, int Slot);
