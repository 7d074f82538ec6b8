#pragma once
// Receipts: the connected side's signed statement of what became of the
// items of the bundles it imported (docs/bundle-format.md §Receipts). Written
// by `airlock import --receipt`, read by `airlock receipt apply` on the
// isolated side, which trusts the receiver's public key.

#include <string>
#include <vector>

#include "crypto/keys.hpp"

namespace airlock {

struct ReceiptItem {
  std::string producer;  // key id of the bundle's signer
  std::string item_id, bundle_id;
  std::string state;     // the import's final state for the item (complete, submitted, failed, refused, …)
  std::string job_id;
};

struct Receipt {
  std::string receipt_id;
  std::string created;
  std::vector<std::string> bundle_ids;
  std::vector<ReceiptItem> items;
  std::string signer_key_id;  // filled in when read
};

// The receipt file: the body's exact JSON text, and an Ed25519 signature over it.
std::string write_signed_receipt(const Receipt& receipt, const SecretKey& key);
// Checks the signature against TRUSTED (verification error otherwise) and parses strictly.
Result<Receipt> read_signed_receipt(std::string_view bytes, const std::vector<PublicKey>& trusted,
                                    const std::string& name);

inline bool acknowledges(const ReceiptItem& item) { return item.state == "complete" || item.state == "submitted"; }

}  // namespace airlock
