from evidence_store.fusion import RRF_K, reciprocal_rank_fusion


def test_items_found_by_both_retrievers_rise():
    fused = reciprocal_rank_fusion({"dense": [1, 2, 3], "lexical": [3, 4, 1]})
    assert [f.item_id for f in fused][:2] == [1, 3]
    top = fused[0]
    assert top.ranks == {"dense": 1, "lexical": 3}
    assert abs(top.score - (1 / (RRF_K + 1) + 1 / (RRF_K + 3))) < 1e-12


def test_single_list_keeps_its_order_and_empty_lists_are_fine():
    assert [f.item_id for f in reciprocal_rank_fusion({"dense": [9, 7, 8]})] == [9, 7, 8]
    assert reciprocal_rank_fusion({"dense": [], "lexical": []}) == []
