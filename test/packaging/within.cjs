'use strict';
/** Resolves as `promise` does, or rejects with `describe()`'s message once `ms` have passed: a miss fails, saying what arrived, instead of hanging. */
module.exports = async function within(promise, ms, describe) {
  let timer;
  const deadline = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${describe()} within ${ms} ms.`)), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
};
