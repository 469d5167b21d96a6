package io.portcullis.secrets.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Share;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Shares as entities, for issuing them; redeeming one is plain SQL ({@code ShareService.redeem}). */
@ApplicationScoped
public class ShareRepository implements PanacheRepositoryBase<Share, String> {
}
